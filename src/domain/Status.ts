/** Status enums, stored as these exact strings in PostgreSQL and carried on the wire. */
import { Schema } from "effect"

export const ExperimentStatus = Schema.Literal(
  "CREATED",
  "EXECUTING",
  "PAUSED",
  "COMPLETED",
  "FAILED",
  "CANCELED",
)
export type ExperimentStatus = typeof ExperimentStatus.Type

export const TaskStatus = Schema.Literal(
  "CREATED",
  "QUEUED",
  "DATA_STAGING",
  "ENV_SETUP",
  "RUNNING",
  "OUTPUT_STAGING",
  "COMPLETED",
  "FAILED",
  "CANCELED",
)
export type TaskStatus = typeof TaskStatus.Type

export const WorkerStatus = Schema.Literal(
  "REGISTERED",
  "IDLE",
  "BUSY",
  "DRAINING",
  "DISCONNECTED",
  "TERMINATED",
)
export type WorkerStatus = typeof WorkerStatus.Type

/** Whether a compute or storage resource accepts new work. */
export const ResourceStatus = Schema.Literal("ACTIVE", "INACTIVE", "MAINTENANCE", "ERROR")
export type ResourceStatus = typeof ResourceStatus.Type

/** Task states in which a worker holds a lease on the task. */
export const activeTaskStatuses = [
  "DATA_STAGING",
  "ENV_SETUP",
  "RUNNING",
  "OUTPUT_STAGING",
] as const satisfies ReadonlyArray<TaskStatus>
export const terminalTaskStatuses = [
  "COMPLETED",
  "FAILED",
  "CANCELED",
] as const satisfies ReadonlyArray<TaskStatus>
export const terminalExperimentStatuses = [
  "COMPLETED",
  "FAILED",
  "CANCELED",
] as const satisfies ReadonlyArray<ExperimentStatus>
