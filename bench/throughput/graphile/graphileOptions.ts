/**
 * graphile-worker settings shared by the harness and its worker process, as BENCHMARKS.md fixes
 * them: `concurrency: 16`, plus `localQueue: { size: 64 }` and `completeJobBatchDelay: 0` for batching.
 */

import { Schema } from "effect"
import { Logger, type RunnerOptions } from "graphile-worker"

/** The two measured configurations. */
export const GraphileVariant = Schema.Literal("default", "batching")
export type GraphileVariant = typeof GraphileVariant.Type

/** What the harness tells its worker process, as JSON in the `workerConfigVariable` environment variable. */
export const GraphileWorkerConfig = Schema.Struct({
  connectionString: Schema.String,
  variant: GraphileVariant,
  expected: Schema.Int,
})

/** The environment variable that carries `GraphileWorkerConfig`. */
export const workerConfigVariable = "BENCH_WORKER"

/** The task every benchmark job runs. */
export const taskName = "noop"

const severe = new Set<string>(["error", "warning"])

/** graphile-worker logs info to stdout, which carries the worker protocol: keep only problems, on stderr. */
export const quietLogger = new Logger(() => (level, message) => {
  if (severe.has(level)) process.stderr.write(`graphile-worker ${level}: ${message}\n`)
})

/** Runner options for `variant` on `connectionString` (task list added by the worker). */
export const runnerOptions = (variant: GraphileVariant, connectionString: string): RunnerOptions => ({
  connectionString,
  concurrency: 16,
  logger: quietLogger,
  noHandleSignals: true,
  ...(variant === "batching"
    ? { preset: { worker: { localQueue: { size: 64 }, completeJobBatchDelay: 0 } } }
    : {}),
})
