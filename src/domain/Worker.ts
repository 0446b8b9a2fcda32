/**
 * A worker: a pilot process on a compute resource that connects back over gRPC and runs tasks.
 * Its authentication token hash is not a field; only the store and the auth check see it.
 */
import { Schema } from "effect"
import { metadataField, NonNegativeInt, Timestamp } from "./Fields.js"
import { ComputeResourceId, ExperimentId, UserId, WorkerId } from "./Ids.js"
import { Walltime, WorkerCapabilities } from "./Requirements.js"
import { WorkerStatus } from "./Status.js"

/** A registered worker and what it offers. */
export class Worker extends Schema.Class<Worker>("Worker")({
  id: WorkerId,
  computeResourceId: ComputeResourceId,
  /** Set when the pilot was provisioned for one experiment; absent workers serve any eligible task. */
  experimentId: Schema.optional(ExperimentId),
  /** Whose credential provisioned the pilot. */
  userId: Schema.optional(UserId),
  status: Schema.optionalWith(WorkerStatus, { default: () => "REGISTERED" }),
  capabilities: WorkerCapabilities,
  /** Tasks it runs at once: the most credits it may announce. */
  slots: Schema.optionalWith(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)), { default: () => 1 }),
  /** Lifetime of the pilot job; tasks whose walltime exceeds what remains are not offered to it. */
  walltime: Schema.optional(Walltime),
  /** Provider job id (SLURM job id, Kubernetes Job name, process id) used to query or cancel the pilot. */
  computeJobId: Schema.optional(Schema.String),
  tasksCompleted: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  tasksFailed: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  lastHeartbeatAt: Schema.optional(Timestamp),
  metadata: metadataField,
  registeredAt: Timestamp,
  updatedAt: Timestamp,
  terminatedAt: Schema.optional(Timestamp),
}) {}
