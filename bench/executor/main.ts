/**
 * The worker's per-attempt cost in the executor alone: N attempts through the `TaskExecutor` layer
 * the worker uses, 16 at a time, each driven as `runAssignment` drives it (its bindings checked, a
 * per-attempt cancel Deferred, `runForEach` over the events). No gRPC, no Store. Prints
 * attempts/s and CPU µs per attempt (`process.cpuUsage`, user + system, this process only; a
 * script's bash child is not counted). Run: `npx vite-node bench/executor/main.ts` (options:
 * --attempts N for the `noop` handler, default 5000; --script-attempts N for `true` as a bash
 * script, default 300, 0 skips it; --rounds N measurements of each, default 3, reported one by
 * one and as best / median; --concurrency N, default 16; --dir PATH for the working
 * directory root, default a fresh one under the OS temp directory, removed afterwards; --via stream
 * to consume `TaskExecutor.run` as a Stream instead, the worker's way before `runForEach` existed).
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Deferred, Effect, Schema, Stream } from "effect"
import { Attempt, ExperimentId, TaskId } from "../../src/domain/Ids.js"
import { EnvRecord, type TaskEvent, TaskExecutor, TaskRun } from "../../src/worker/executor/index.js"
import { numberOption, stringOption } from "../argv.js"
import { runScript } from "../runScript.js"

const attempts = numberOption("attempts", 5_000)
const scriptAttempts = numberOption("script-attempts", 300)
const concurrency = numberOption("concurrency", 16) || 16
const rounds = numberOption("rounds", 3) || 1
/** `--via stream`: consume `TaskExecutor.run`'s Stream, as the worker did before `runForEach`. */
const viaStream = stringOption("via") === "stream"
/** Attempts run before measuring, so that JIT compilation is not counted. */
const WARM_UP = 1_000

interface Variant {
  readonly name: string
  /** Names the experiment directories; safe as a path segment, like real experiment ids. */
  readonly tag: string
  readonly work: { readonly handler: string } | { readonly script: string }
}

/** The bindings check runAssignment makes before building its TaskRun unvalidated. */
const validateBindings = Schema.validateSync(
  Schema.Struct({ inputs: EnvRecord, outputs: EnvRecord, environment: EnvRecord }),
)

/** One attempt, as runAssignment builds and consumes it. */
const attempt = (variant: Variant, experimentId: string, index: number) =>
  Effect.gen(function* () {
    const executor = yield* TaskExecutor
    const cancel = yield* Deferred.make<void>()
    const bindings = validateBindings({ inputs: { I: String(index) }, outputs: {}, environment: {} })
    const run = TaskRun.make(
      {
        taskId: TaskId.make(`task-${index}`),
        experimentId: ExperimentId.make(experimentId),
        key: `t[${index}]`,
        attempt: Attempt.make(1),
        ...variant.work,
        ...bindings,
      },
      true,
    )
    let outcome = ""
    const onEvent = (event: TaskEvent) =>
      Effect.sync(() => {
        if (event._tag === "TaskFinished") outcome = event.result.outcome
      })
    const options = { cancel: Deferred.await(cancel) }
    yield* viaStream
      ? executor.run(run, options).pipe(Stream.runForEach(onEvent))
      : executor.runForEach(run, onEvent, options)
    if (outcome !== "succeeded") return yield* Effect.dieMessage(`attempt ${index} ended ${outcome}`)
  })

const batch = (variant: Variant, experimentId: string, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, index) => index),
    (index) => attempt(variant, experimentId, index),
    { concurrency, discard: true },
  )

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN
}

const measure = (variant: Variant, count: number) =>
  Effect.gen(function* () {
    yield* batch(variant, `exp_warm-${variant.tag}`, Math.min(WARM_UP, count))
    const rates: Array<number> = []
    const cpus: Array<number> = []
    for (let round = 1; round <= rounds; round++) {
      const cpuBefore = process.cpuUsage()
      const before = performance.now()
      yield* batch(variant, `exp_bench-${variant.tag}-${round}`, count)
      const seconds = (performance.now() - before) / 1000
      const cpu = process.cpuUsage(cpuBefore)
      rates.push(count / seconds)
      cpus.push((cpu.user + cpu.system) / count)
      console.log(
        `${variant.name.padEnd(12)} round ${round}  ${count} attempts  ${Math.round(count / seconds)}/s  ` +
          `CPU ${Math.round((cpu.user + cpu.system) / count)} µs/attempt ` +
          `(user ${Math.round(cpu.user / count)}, system ${Math.round(cpu.system / count)})`,
      )
    }
    console.log(
      `${variant.name.padEnd(12)} best / median of ${rounds}: ${Math.round(Math.max(...rates))} / ` +
        `${Math.round(median(rates))} attempts/s, CPU ${Math.round(Math.min(...cpus))} / ` +
        `${Math.round(median(cpus))} µs/attempt`,
    )
  })

const root = stringOption("dir")
const workingDir = root ?? Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-executor-"))

const program = Effect.gen(function* () {
  const via = viaStream ? "TaskExecutor.run + Stream.runForEach" : "TaskExecutor.runForEach"
  console.log(`${via}, ${concurrency} at a time, in ${workingDir}, node ${process.version}`)
  if (attempts > 0) yield* measure({ name: "noop handler", tag: "noop", work: { handler: "noop" } }, attempts)
  if (scriptAttempts > 0)
    yield* measure({ name: "true script", tag: "true", work: { script: "true" } }, scriptAttempts)
  // The configuration of `airavata worker` with its default --task-timeout.
}).pipe(Effect.provide(TaskExecutor.layer({ workingDir, timeout: "24 hours" })))

runScript(program, () => {
  if (root === undefined) Fs.rmSync(workingDir, { recursive: true, force: true })
})
