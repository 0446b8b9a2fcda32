/**
 * What one interactive submission costs the submitting process: a one-task experiment written in
 * the YAML spec language (the latency workload's `timedSpec`), parsed and submitted with
 * `submitExperiment`, one after another on an otherwise idle Store on PostgreSQL. Prints, per
 * round, parse and submit wall time (p50 / p99, ms) and CPU ms per submission of this process.
 * Run: `npx vite-node bench/submit/main.ts` (options: --submissions N per round, --rounds N, --gap MS).
 *
 * `--gap 20` waits 20 ms between submissions, the pace of the latency workload (50/s): on these
 * machines the same work then costs several times the CPU of back-to-back submissions (caches and
 * branch predictors gone cold while idle), and that is the cost a paced submission pays.
 */
import { Duration, Effect } from "effect"
import { StoreLive } from "../../src/layers/store/StoreLive.js"
import { ensureLocalDirectory } from "../../src/programs/localDirectory.js"
import { submitExperiment } from "../../src/programs/submitExperiment.js"
import { numberOption } from "../argv.js"
import { scratchDatabase } from "../claim/database.js"
import { runScript } from "../runScript.js"
import { timedSpec } from "../throughput/airavata/benchSpecs.js"

const submissions = numberOption("submissions", 1000) || 1000
const rounds = numberOption("rounds", 3) || 3
const gap = Duration.millis(numberOption("gap", 0))

const percentile = (values: ReadonlyArray<number>, p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0

const program = Effect.gen(function* () {
  const { url } = yield* scratchDatabase
  yield* Effect.gen(function* () {
    const { userId, projectId } = yield* ensureLocalDirectory("bench")
    for (let round = 1; round <= rounds; round++) {
      const parse: Array<number> = []
      const submit: Array<number> = []
      let cpuMicros = 0
      for (let i = 0; i < submissions; i++) {
        if (!Duration.isZero(gap)) yield* Effect.sleep(gap)
        const cpu = process.cpuUsage()
        const t0 = performance.now()
        const spec = yield* timedSpec("submit", "handler", Date.now())
        const t1 = performance.now()
        yield* submitExperiment(spec, { ownerId: userId, projectId, name: `submit-${round}-${i}` })
        parse.push(t1 - t0)
        submit.push(performance.now() - t1)
        const used = process.cpuUsage(cpu)
        cpuMicros += used.user + used.system
      }
      const ms = (v: number) => v.toFixed(2)
      console.log(
        `round ${round}: parse p50 ${ms(percentile(parse, 50))} p99 ${ms(percentile(parse, 99))} ms; ` +
          `submit p50 ${ms(percentile(submit, 50))} p99 ${ms(percentile(submit, 99))} ms; ` +
          `CPU ${ms(cpuMicros / 1000 / submissions)} ms per submission (${submissions}, gap ${Duration.toMillis(gap)} ms)`,
      )
    }
  }).pipe(Effect.provide(StoreLive.postgres({ url })))
})

runScript(Effect.scoped(program))
