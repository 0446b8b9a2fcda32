/**
 * The two workloads of BENCHMARKS.md, run against any `System` on a fresh database each time:
 * throughput (bulk enqueue with the worker stopped, then one worker drains) and latency (an idle
 * worker, jobs submitted one at a time at a fixed rate by this process).
 */
import { Clock, Duration, Effect, Schedule } from "effect"
import { type BenchError, BenchTimeout } from "./BenchErrors.js"
import { freshDatabase } from "./freshDatabase.js"
import type { System } from "./System.js"
import { percentile } from "./stats.js"

/** One throughput run, in jobs per second. */
export interface ThroughputResult {
  readonly enqueuePerSecond: number
  readonly processPerSecond: number
}

/** One latency run: submit → handler start, in milliseconds. */
export interface LatencyResult {
  readonly p50: number
  readonly p95: number
  readonly p99: number
}

// Every wait is bounded so that a broken system stops the benchmark instead of hanging it.
const bounded =
  (system: System, operation: string, seconds: number) =>
  <A, R>(self: Effect.Effect<A, BenchError, R>): Effect.Effect<A, BenchError, R> =>
    Effect.timeoutFail(self, {
      duration: Duration.seconds(seconds),
      onTimeout: () => new BenchTimeout({ system: system.name, operation, seconds }),
    })

/** Enqueues `jobs` in batches of `batchSize` with no worker, then times ONE worker draining them. */
export const throughput = (system: System, jobs: number, batchSize: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const run = yield* system.prepare(yield* freshDatabase)
      const [took] = yield* Effect.timed(run.enqueue(jobs, batchSize)).pipe(bounded(system, "enqueue", 300))
      const worker = yield* run.startWorker(jobs)
      const report = yield* worker.awaitAll.pipe(bounded(system, "process", 600))
      const result: ThroughputResult = {
        enqueuePerSecond: jobs / Duration.toSeconds(took),
        processPerSecond: jobs / ((report.lastEnd - report.firstStart) / 1000),
      }
      return result
    }),
  )

/** Starts ONE idle worker, then submits `jobs` jobs carrying `{ t }`, `perSecond` per second. */
export const latency = (system: System, jobs: number, perSecond: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const run = yield* system.prepare(yield* freshDatabase)
      const worker = yield* run.startWorker(jobs)
      yield* worker.ready.pipe(bounded(system, "worker start", 120))
      // Let the worker settle into its idle wait (listener up, first poll done) before measuring.
      yield* Effect.sleep(Duration.seconds(1))
      const submitOne = Effect.flatMap(Clock.currentTimeMillis, run.submitOne)
      yield* Effect.repeat(
        submitOne,
        Schedule.intersect(Schedule.fixed(Duration.millis(1000 / perSecond)), Schedule.recurs(jobs - 1)),
      ).pipe(bounded(system, "submit", 60 + (2 * jobs) / perSecond))
      const report = yield* worker.awaitAll.pipe(bounded(system, "latency jobs", 120))
      const result: LatencyResult = {
        p50: percentile(report.latencies, 50),
        p95: percentile(report.latencies, 95),
        p99: percentile(report.latencies, 99),
      }
      return result
    }),
  )
