/**
 * The interface a queue/scheduler implements to be measured by the harness. One `System` is one
 * named configuration (e.g. graphile-worker with batching); each run gets a fresh, empty store.
 */
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import type { Effect, Scope } from "effect"
import type { BenchError } from "./BenchErrors.js"

/** What the worker process observed at its handler: epoch milliseconds (`Date.now()`). */
export interface HandlerReport {
  /** Handler invocations that finished. */
  readonly count: number
  /** The earliest handler start. */
  readonly firstStart: number
  /** The latest handler end. */
  readonly lastEnd: number
  /** `Date.now() - payload.t` at handler start, for every job whose payload carried `t`. */
  readonly latencies: ReadonlyArray<number>
}

/** One running worker process of a system. */
export interface WorkerHandle {
  /** Succeeds once the worker is up and waiting for jobs. */
  readonly ready: Effect.Effect<void, BenchError>
  /** Waits until the worker has finished the `expected` jobs it was started for; its observations. */
  readonly awaitAll: Effect.Effect<HandlerReport, BenchError>
}

/** A system prepared on a fresh store, with no worker running. */
export interface SystemRun {
  /** Enqueues `count` no-op jobs (payload `{}`) in calls of `batchSize` jobs each. */
  readonly enqueue: (count: number, batchSize: number) => Effect.Effect<void, BenchError>
  /** Starts ONE worker process that handles jobs with a no-op handler; stopped when the scope closes. */
  readonly startWorker: (expected: number) => Effect.Effect<WorkerHandle, BenchError, Scope.Scope>
  /** Enqueues one no-op job with payload `{ t }`, returning once the system has accepted it. */
  readonly submitOne: (t: number) => Effect.Effect<void, BenchError>
}

/** A named system under test. */
export interface System {
  /** The name printed in the table and chosen with `--systems` / `--baseline`. */
  readonly name: string
  /**
   * Prepares the system on `databaseUrl`, a PostgreSQL database the harness created empty for this
   * run and drops afterwards (a system that keeps its state elsewhere must wipe that store itself).
   */
  readonly prepare: (
    databaseUrl: string,
  ) => Effect.Effect<SystemRun, BenchError, Scope.Scope | CommandExecutor>
}
