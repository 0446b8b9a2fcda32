/**
 * The graphile-worker benchmark worker process: runs one worker pool with a no-op `noop` task,
 * prints `Ready` once running and a `Report` after the expected jobs. Configured by the
 * BENCH_WORKER environment variable (JSON, see `GraphileWorkerConfig`); stopped by SIGTERM.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Schema } from "effect"
import { run } from "graphile-worker"
import { reasonOf, SystemFailed } from "../BenchErrors.js"
import { makeHandlerRecorder } from "../HandlerRecorder.js"
import { emit } from "../WorkerProtocol.js"
import { GraphileWorkerConfig, runnerOptions, taskName, workerConfigVariable } from "./graphileOptions.js"

const main = Effect.gen(function* () {
  const config = yield* Schema.Config(workerConfigVariable, Schema.parseJson(GraphileWorkerConfig))
  const recorder = yield* makeHandlerRecorder(config.expected)
  const system = `graphile-${config.variant}`
  yield* Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        run({
          ...runnerOptions(config.variant, config.connectionString),
          taskList: {
            [taskName]: async (payload) => {
              recorder.start(payload)
              recorder.end()
            },
          },
        }),
      catch: (cause) => new SystemFailed({ system, operation: "run", reason: reasonOf(cause) }),
    }),
    (runner) => Effect.promise(() => runner.stop()),
  )
  yield* emit({ _tag: "Ready" })
  yield* emit(yield* recorder.done)
  // Keep the pool up until the harness stops this process, as a real worker would stay.
  return yield* Effect.never
})

NodeRuntime.runMain(Effect.scoped(main))
