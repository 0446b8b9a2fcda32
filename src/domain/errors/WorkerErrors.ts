/** Errors about workers and their connections. */
import { Schema } from "effect"
import { WorkerId } from "../Ids.js"
import { WorkerStatus } from "../Status.js"

/** The worker exists but cannot take work in its status (draining, disconnected, terminated). */
export class WorkerUnavailable extends Schema.TaggedError<WorkerUnavailable>()("WorkerUnavailable", {
  workerId: WorkerId,
  status: WorkerStatus,
}) {
  readonly code = "WORKER_UNAVAILABLE"
  override get message() {
    return `worker ${this.workerId} is ${this.status} and takes no work`
  }
}

/** Why a worker connection was refused. */
export const WorkerAuthFailure = Schema.Literal(
  "missing-token",
  "invalid-token",
  "unknown-worker",
  "terminated",
)
export type WorkerAuthFailure = typeof WorkerAuthFailure.Type

/**
 * A worker connection presented no valid token. `workerId` is whatever the peer claimed, so it
 * is a plain (possibly absent) string rather than a validated WorkerId.
 */
export class WorkerUnauthenticated extends Schema.TaggedError<WorkerUnauthenticated>()(
  "WorkerUnauthenticated",
  {
    workerId: Schema.optional(Schema.String),
    reason: WorkerAuthFailure,
  },
) {
  readonly code = "WORKER_UNAUTHENTICATED"
  override get message() {
    const who = this.workerId === undefined ? "worker" : `worker ${this.workerId}`
    return `${who} refused: ${this.reason}`
  }
}

/** A worker registered with details that contradict the ones it was provisioned with. */
export class WorkerRegistrationMismatch extends Schema.TaggedError<WorkerRegistrationMismatch>()(
  "WorkerRegistrationMismatch",
  {
    workerId: WorkerId,
    field: Schema.String,
    expected: Schema.String,
    actual: Schema.String,
  },
) {
  readonly code = "WORKER_REGISTRATION_MISMATCH"
  override get message() {
    return `worker ${this.workerId} registered with ${this.field} ${this.actual}, provisioned with ${this.expected}`
  }
}

/** A second stream opened for a worker that already has a live one. */
export class WorkerAlreadyConnected extends Schema.TaggedError<WorkerAlreadyConnected>()(
  "WorkerAlreadyConnected",
  { workerId: WorkerId },
) {
  readonly code = "WORKER_ALREADY_CONNECTED"
  override get message() {
    return `worker ${this.workerId} is already connected`
  }
}
