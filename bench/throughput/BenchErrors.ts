/** Errors of the throughput benchmark: a system under test failed, a worker died, or a step hung. */
import { Schema } from "effect"

/** A system under test (or the database the harness prepares for it) failed an operation. */
export class SystemFailed extends Schema.TaggedError<SystemFailed>()("SystemFailed", {
  system: Schema.String,
  operation: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "BENCH_SYSTEM_FAILED"
  override get message() {
    return `${this.system}: ${this.operation} failed: ${this.reason}`
  }
}

/** A worker process ended before it reported what the harness waited for. */
export class WorkerExited extends Schema.TaggedError<WorkerExited>()("WorkerExited", {
  system: Schema.String,
  waitingFor: Schema.String,
}) {
  readonly code = "BENCH_WORKER_EXITED"
  override get message() {
    return `${this.system}: the worker process ended before ${this.waitingFor}`
  }
}

/** A step did not finish in its time bound; benchmarks stop by themselves rather than hang. */
export class BenchTimeout extends Schema.TaggedError<BenchTimeout>()("BenchTimeout", {
  system: Schema.String,
  operation: Schema.String,
  seconds: Schema.Number,
}) {
  readonly code = "BENCH_TIMEOUT"
  override get message() {
    return `${this.system}: ${this.operation} did not finish within ${this.seconds} s`
  }
}

/** Any failure of a benchmark run. */
export type BenchError = SystemFailed | WorkerExited | BenchTimeout

/** The message of an unknown thrown value, for the `reason` fields above. */
export const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
