/**
 * Wire enums ↔ domain statuses. The wire keeps Airavata's names (TASK_STATUS_CANCELLED); the
 * domain spells CANCELED. Both directions are total over their enums (checked by the compiler).
 */
import { Option } from "effect"
import type { TaskStatus, WorkerStatus } from "../../domain/Status.js"
import { TaskStatus as WireTaskStatus } from "./generated/experiment.js"
import { OutputType, WorkerStatus as WireWorkerStatus } from "./generated/worker.js"

const taskStatusToWire = {
  CREATED: WireTaskStatus.TASK_STATUS_CREATED,
  QUEUED: WireTaskStatus.TASK_STATUS_QUEUED,
  DATA_STAGING: WireTaskStatus.TASK_STATUS_DATA_STAGING,
  ENV_SETUP: WireTaskStatus.TASK_STATUS_ENV_SETUP,
  RUNNING: WireTaskStatus.TASK_STATUS_RUNNING,
  OUTPUT_STAGING: WireTaskStatus.TASK_STATUS_OUTPUT_STAGING,
  COMPLETED: WireTaskStatus.TASK_STATUS_COMPLETED,
  FAILED: WireTaskStatus.TASK_STATUS_FAILED,
  CANCELED: WireTaskStatus.TASK_STATUS_CANCELLED,
} as const satisfies Record<TaskStatus, WireTaskStatus>

/** The wire value of a domain task status. */
export const taskStatusToProto = (status: TaskStatus): WireTaskStatus => taskStatusToWire[status]

/**
 * The domain status of a wire value; none for UNRECOGNIZED and for numbers outside the enum
 * (protobuf decoding passes unknown enum numbers through).
 */
export const taskStatusFromProto = (status: WireTaskStatus): Option.Option<TaskStatus> => {
  switch (status) {
    case WireTaskStatus.TASK_STATUS_CREATED:
      return Option.some("CREATED")
    case WireTaskStatus.TASK_STATUS_QUEUED:
      return Option.some("QUEUED")
    case WireTaskStatus.TASK_STATUS_DATA_STAGING:
      return Option.some("DATA_STAGING")
    case WireTaskStatus.TASK_STATUS_ENV_SETUP:
      return Option.some("ENV_SETUP")
    case WireTaskStatus.TASK_STATUS_RUNNING:
      return Option.some("RUNNING")
    case WireTaskStatus.TASK_STATUS_OUTPUT_STAGING:
      return Option.some("OUTPUT_STAGING")
    case WireTaskStatus.TASK_STATUS_COMPLETED:
      return Option.some("COMPLETED")
    case WireTaskStatus.TASK_STATUS_FAILED:
      return Option.some("FAILED")
    case WireTaskStatus.TASK_STATUS_CANCELLED:
      return Option.some("CANCELED")
    case WireTaskStatus.UNRECOGNIZED:
      return Option.none()
    default:
      status satisfies never
      return Option.none()
  }
}

/**
 * The domain status a worker's self-reported status implies, as the reference server reconciles
 * heartbeats: STAGING counts as BUSY; ERROR, UNKNOWN and anything else as IDLE.
 */
export const workerStatusFromProto = (status: WireWorkerStatus): Extract<WorkerStatus, "IDLE" | "BUSY"> => {
  switch (status) {
    case WireWorkerStatus.WORKER_STATUS_BUSY:
    case WireWorkerStatus.WORKER_STATUS_STAGING:
      return "BUSY"
    case WireWorkerStatus.WORKER_STATUS_IDLE:
    case WireWorkerStatus.WORKER_STATUS_ERROR:
    case WireWorkerStatus.WORKER_STATUS_UNKNOWN:
    case WireWorkerStatus.UNRECOGNIZED:
      return "IDLE"
    default:
      status satisfies never
      return "IDLE"
  }
}

/** Which stream a chunk of task output came from. */
export type OutputStream = "stdout" | "stderr" | "log"

const outputStreamToWire = {
  stdout: OutputType.OUTPUT_TYPE_STDOUT,
  stderr: OutputType.OUTPUT_TYPE_STDERR,
  log: OutputType.OUTPUT_TYPE_LOG,
} as const satisfies Record<OutputStream, OutputType>

/** The wire type of an output stream. */
export const outputStreamToProto = (stream: OutputStream): OutputType => outputStreamToWire[stream]

/** The stream of a wire output type; none for UNKNOWN and unrecognized values. */
export const outputStreamFromProto = (wire: OutputType): Option.Option<OutputStream> => {
  switch (wire) {
    case OutputType.OUTPUT_TYPE_STDOUT:
      return Option.some("stdout")
    case OutputType.OUTPUT_TYPE_STDERR:
      return Option.some("stderr")
    case OutputType.OUTPUT_TYPE_LOG:
      return Option.some("log")
    case OutputType.OUTPUT_TYPE_UNKNOWN:
    case OutputType.UNRECOGNIZED:
      return Option.none()
    default:
      wire satisfies never
      return Option.none()
  }
}
