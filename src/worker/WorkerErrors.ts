/** Errors of the worker runtime. */
import { Schema } from "effect"

/** The scheduler refused this worker (bad token, unknown or terminated worker): retrying will not help. */
export class WorkerRejected extends Schema.TaggedError<WorkerRejected>()("WorkerRejected", {
  workerId: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "WORKER_REJECTED"
  override get message() {
    return `scheduler rejected worker ${this.workerId}: ${this.reason}`
  }
}
