/**
 * graphile-worker as a benchmark system: jobs enqueued with `addJobs` / `addJob` through
 * WorkerUtils in the harness process, handled by graphileWorker.ts in a process of its own.
 */
import { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Effect, Schema } from "effect"
import { makeWorkerUtils } from "graphile-worker"
import { reasonOf, SystemFailed } from "../BenchErrors.js"
import type { System, SystemRun } from "../System.js"
import { spawnWorker } from "../spawnWorker.js"
import {
  type GraphileVariant,
  GraphileWorkerConfig,
  quietLogger,
  taskName,
  workerConfigVariable,
} from "./graphileOptions.js"

const workerScript = new URL("./graphileWorker.ts", import.meta.url)
const encodeConfig = Schema.encodeSync(Schema.parseJson(GraphileWorkerConfig))

/** Sizes of the successive `addJobs` calls that enqueue `count` jobs `batchSize` at a time. */
const batches = (count: number, batchSize: number): Array<number> =>
  Array.from({ length: Math.ceil(count / batchSize) }, (_, i) => Math.min(batchSize, count - i * batchSize))

/** graphile-worker 0.18 in the given configuration, named `graphile-<variant>`. */
export const graphileSystem = (variant: GraphileVariant): System => {
  const name = `graphile-${variant}`
  const failed = (operation: string) => (cause: unknown) =>
    new SystemFailed({ system: name, operation, reason: reasonOf(cause) })
  const prepare = (databaseUrl: string) =>
    Effect.gen(function* () {
      const executor = yield* CommandExecutor
      const utils = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => makeWorkerUtils({ connectionString: databaseUrl, logger: quietLogger }),
          catch: failed("connect"),
        }),
        (utils) =>
          Effect.promise(async () => {
            await utils.release()
          }),
      )
      // Migrate up front so that enqueueing finds the schema and the worker's start does no DDL.
      yield* Effect.tryPromise({ try: () => utils.migrate(), catch: failed("migrate") })
      const run: SystemRun = {
        enqueue: (count, batchSize) =>
          Effect.forEach(
            batches(count, batchSize),
            (size) =>
              Effect.tryPromise({
                try: () =>
                  utils.addJobs(Array.from({ length: size }, () => ({ identifier: taskName, payload: {} }))),
                catch: failed("addJobs"),
              }),
            { discard: true },
          ),
        startWorker: (expected) =>
          spawnWorker(name, workerScript, {
            [workerConfigVariable]: encodeConfig({ connectionString: databaseUrl, variant, expected }),
          }).pipe(Effect.provideService(CommandExecutor, executor)),
        submitOne: (t) =>
          Effect.asVoid(
            Effect.tryPromise({ try: () => utils.addJob(taskName, { t }), catch: failed("addJob") }),
          ),
      }
      return run
    })
  return { name, prepare }
}
