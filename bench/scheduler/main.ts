/**
 * The scheduler's own ceiling: a replica (Store on a fresh PostgreSQL database, Dispatcher,
 * LeaseReaper, gRPC endpoint) in this process, one experiment of N tasks, and ONE worker process
 * that runs nothing (instantWorker.ts: every assignment is answered at once with COMPLETED and a
 * credit back). What is left is claims, assignments, reports and their statements: the most the
 * scheduler and PostgreSQL can do, whatever the worker. Prints tasks/s (worker's first assignment →
 * the Store counting all N completed) and CPU per task of this process and of the worker process.
 *
 *   npx vite-node bench/scheduler/main.ts [--tasks 20000] [--credits 64] [--rounds 3]
 */
import { fileURLToPath } from "node:url"
import { Command } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Console, Duration, Effect, Layer, Logger, LogLevel, Redacted, Schema, Stream } from "effect"
import { startSchedulerReplica } from "../../src/api/SchedulerServer.js"
import { WorkerId } from "../../src/domain/Ids.js"
import { StoreLive } from "../../src/layers/store/StoreLive.js"
import { Store } from "../../src/ports/Store.js"
import { TaskQuery } from "../../src/ports/StoreModel.js"
import { ensureLocalDirectory, LOCAL_COMPUTE } from "../../src/programs/localDirectory.js"
import { registerWorkerWithToken } from "../../src/programs/registerWorker.js"
import { submitExperiment } from "../../src/programs/submitExperiment.js"
import { numberOption } from "../argv.js"
import { sweepSpec } from "../throughput/airavata/benchSpecs.js"
import { freshDatabase } from "../throughput/freshDatabase.js"

const tasks = numberOption("tasks", 20_000) || 20_000
const credits = numberOption("credits", 64) || 64
const rounds = numberOption("rounds", 3) || 1

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const viteNode = fileURLToPath(new URL("../../node_modules/vite-node/vite-node.mjs", import.meta.url))
const workerScript = fileURLToPath(new URL("./instantWorker.ts", import.meta.url))

const WorkerLine = Schema.parseJson(
  Schema.Struct({
    first: Schema.Number,
    last: Schema.Number,
    count: Schema.Number,
    cpuMicros: Schema.Number,
  }),
)

const round = (n: number) =>
  Effect.gen(function* () {
    const url = yield* freshDatabase
    const context = yield* Layer.build(StoreLive.postgres({ url }))
    const store = Store.pipe(Effect.provide(context))
    const { userId, projectId } = yield* ensureLocalDirectory("bench").pipe(Effect.provide(context))
    const bound = yield* startSchedulerReplica({
      host: "127.0.0.1",
      port: 0,
      heartbeatInterval: Duration.seconds(2),
      defaultComputeResource: LOCAL_COMPUTE,
    }).pipe(Effect.provide(context))
    const workerId = WorkerId.make(`instant-${n}-${Date.now().toString(36)}`)
    const token = yield* registerWorkerWithToken(workerId, LOCAL_COMPUTE, credits).pipe(
      Effect.provide(context),
    )
    const spec = yield* sweepSpec("scheduler", "handler", tasks)
    const summary = yield* submitExperiment(spec, { ownerId: userId, projectId, name: `sweep-${n}` }).pipe(
      Effect.provide(context),
    )
    const cpu0 = process.cpuUsage()
    const child = yield* Command.make(process.execPath, viteNode, workerScript).pipe(
      Command.workingDirectory(repoRoot),
      Command.env({
        BENCH_ADDRESS: `127.0.0.1:${bound.port}`,
        BENCH_WORKER_ID: workerId,
        BENCH_TOKEN: Redacted.value(token),
        BENCH_CREDITS: String(credits),
        BENCH_EXPECTED: String(tasks),
      }),
      Command.stderr("inherit"),
      Command.start,
    )
    // Done when the Store counts every task completed (the reports applied, not just sent).
    const s = yield* store
    for (;;) {
      const current = yield* s.getExperiment(summary.experiment.id)
      if (current.completedTasks >= tasks) break
      if (current.experiment.status !== "EXECUTING") {
        const failed = yield* s.listTasks(
          TaskQuery.make({ experimentId: summary.experiment.id, status: "FAILED", limit: 3 }),
        )
        return yield* Effect.dieMessage(
          `experiment ${current.experiment.status}: ${failed.tasks.map((t) => `${t.key}: ${t.error ?? "?"}`).join("; ")}`,
        )
      }
      yield* Effect.sleep(Duration.millis(25))
    }
    const end = Date.now()
    const used = process.cpuUsage(cpu0)
    const line = yield* child.stdout.pipe(Stream.decodeText(), Stream.splitLines, Stream.runHead)
    const worker = yield* Schema.decodeUnknown(WorkerLine)(line._tag === "Some" ? line.value : "")
    const seconds = (end - worker.first) / 1000
    return {
      rate: tasks / seconds,
      schedulerMicros: (used.user + used.system) / tasks,
      workerMicros: worker.cpuMicros / tasks,
    }
  }).pipe(Effect.scoped)

const program = Effect.gen(function* () {
  yield* Console.log(
    `scheduler ceiling: ${tasks} tasks, ${credits} credits, instant worker, ${rounds} round(s)`,
  )
  const results = []
  for (let n = 1; n <= rounds; n++) {
    const r = yield* round(n)
    results.push(r)
    yield* Console.log(
      `round ${n}: ${Math.round(r.rate)} tasks/s, scheduler ${Math.round(r.schedulerMicros)} µs CPU/task` +
        ` (incl. its polling), worker ${Math.round(r.workerMicros)} µs CPU/task`,
    )
  }
  const rates = results.map((r) => r.rate).sort((a, b) => a - b)
  yield* Console.log(`median ${Math.round(rates[Math.floor(rates.length / 2)] ?? 0)} tasks/s`)
})

Effect.runPromise(
  program.pipe(
    Effect.provide(NodeContext.layer),
    Logger.withMinimumLogLevel(LogLevel.Warning),
    // As `airavata server` runs (src/cli/main.ts): no span recording.
    Effect.withTracerEnabled(false),
  ),
).catch((error) => {
  console.error(error)
  process.exit(1)
})
