/**
 * Errors of the Compute port. Each names the compute resource and, where there is one, the pilot
 * (worker id and the provider's job id), and says why in `reason` — the provider's own message
 * (spawn errno, sbatch stderr, HTTP status), never a secret.
 */
import { Schema } from "effect"
import { ComputeResourceId, WorkerId } from "../domain/Ids.js"

/** The provider could not start a pilot (spawn failed, sbatch refused, Job rejected…). */
export class ComputeSubmitFailed extends Schema.TaggedError<ComputeSubmitFailed>()("ComputeSubmitFailed", {
  resourceId: ComputeResourceId,
  workerId: WorkerId,
  reason: Schema.String,
}) {
  readonly code = "COMPUTE_SUBMIT_FAILED"
  override get message() {
    return `could not start pilot ${this.workerId} on ${this.resourceId}: ${this.reason}`
  }
}

/** The handle names no pilot this provider knows (wrong provider, foreign job id, forgotten job). */
export class PilotNotFound extends Schema.TaggedError<PilotNotFound>()("PilotNotFound", {
  resourceId: ComputeResourceId,
  workerId: WorkerId,
  jobId: Schema.String,
}) {
  readonly code = "COMPUTE_PILOT_NOT_FOUND"
  override get message() {
    return `no pilot ${this.workerId} (job ${this.jobId}) on ${this.resourceId}`
  }
}

/** The operations a provider can fail to query. */
export const ComputeQuery = Schema.Literal("status", "list", "awaitExit")
export type ComputeQuery = typeof ComputeQuery.Type

/** Asking the resource about pilots failed (squeue unreachable, API error…). */
export class ComputeQueryFailed extends Schema.TaggedError<ComputeQueryFailed>()("ComputeQueryFailed", {
  resourceId: ComputeResourceId,
  operation: ComputeQuery,
  workerId: Schema.optional(WorkerId),
  reason: Schema.String,
}) {
  readonly code = "COMPUTE_QUERY_FAILED"
  override get message() {
    const what = this.workerId === undefined ? "" : ` of pilot ${this.workerId}`
    return `${this.operation}${what} on ${this.resourceId} failed: ${this.reason}`
  }
}

/** The provider could not stop a pilot (signal refused, scancel failed…). */
export class ComputeCancelFailed extends Schema.TaggedError<ComputeCancelFailed>()("ComputeCancelFailed", {
  resourceId: ComputeResourceId,
  workerId: WorkerId,
  jobId: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "COMPUTE_CANCEL_FAILED"
  override get message() {
    return `could not cancel pilot ${this.workerId} (job ${this.jobId}) on ${this.resourceId}: ${this.reason}`
  }
}

/** The resource cannot be reached at all (SSH refused, API server down); retrying later may help. */
export class ComputeUnavailable extends Schema.TaggedError<ComputeUnavailable>()("ComputeUnavailable", {
  resourceId: ComputeResourceId,
  reason: Schema.String,
}) {
  readonly code = "COMPUTE_UNAVAILABLE"
  override get message() {
    return `compute resource ${this.resourceId} is unavailable: ${this.reason}`
  }
}

/** Any error a Compute provider reports. Discriminate on `_tag`; report `code`. */
export type ComputeError =
  | ComputeSubmitFailed
  | PilotNotFound
  | ComputeQueryFailed
  | ComputeCancelFailed
  | ComputeUnavailable

/** Every Compute error code. */
export type ComputeErrorCode = ComputeError["code"]
