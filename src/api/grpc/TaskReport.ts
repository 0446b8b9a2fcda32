/**
 * A TaskStatusUpdateRequest as the scheduler uses it: validated ids, the attempt it is about, the
 * domain status, exit code and the outputs the worker found.
 */
import { basename } from "node:path/posix"
import { Effect, Either, Option, Schema } from "effect"
import { Sha256 } from "../../domain/Data.js"
import { isStringRecord } from "../../domain/Fields.js"
import { Attempt, isIdText, TaskId, WorkerId } from "../../domain/Ids.js"
import { TaskStatus } from "../../domain/Status.js"
import { InvalidWireMessage } from "./GrpcErrors.js"
import { FileMetadata as WireFileMetadata } from "./generated/common.js"
import { TaskStatusUpdateRequest } from "./generated/worker.js"
import { decodeWireEither, nonEmpty } from "./internal/decodeWire.js"
import { taskStatusFromProto, taskStatusToProto } from "./StatusMapping.js"

/** One declared output that exists after the run. */
export class ReportedOutput extends Schema.Class<ReportedOutput>("ReportedOutput")({
  /** Relative to the attempt's working directory. */
  path: Schema.NonEmptyString,
  size: Schema.Int.pipe(Schema.nonNegative()),
  checksum: Sha256,
}) {}

export class TaskReport extends Schema.Class<TaskReport>("TaskReport")({
  taskId: TaskId,
  workerId: WorkerId,
  /** Absent when an original Airavata worker reports: it means the task's current attempt. */
  attempt: Schema.optional(Attempt.pipe(Schema.filter((n) => n >= 1 || "expected an attempt ≥ 1"))),
  /** Never CREATED: a worker cannot put a task back to before it was queued. */
  status: TaskStatus.pipe(Schema.filter((s) => s !== "CREATED" || "a worker cannot report CREATED")),
  message: Schema.optional(Schema.String),
  errors: Schema.Array(Schema.String),
  exitCode: Schema.optional(Schema.Int),
  /** Output name → file. */
  outputs: Schema.Record({ key: Schema.String, value: ReportedOutput }),
  metadata: Schema.Record({ key: Schema.String, value: Schema.String }),
}) {}

const decode = decodeWireEither(TaskReport, "TaskStatusUpdateRequest")

const isInt = (value: unknown): value is number => Number.isSafeInteger(value)

/**
 * The fields as a TaskReport when they are of the common shape (no outputs), checked by hand with
 * exactly the schema's rules; undefined otherwise, for the schema to decode and explain. Reports
 * arrive by the thousand per second and the schema decode was ≈ 7 % of the scheduler's CPU.
 */
const commonShape = (fields: {
  readonly taskId: string
  readonly workerId: string
  readonly attempt: number | undefined
  readonly status: TaskStatus
  readonly message: string | undefined
  readonly errors: ReadonlyArray<unknown>
  readonly exitCode: number | undefined
  readonly outputs: Record<string, unknown>
  readonly metadata: unknown
}): TaskReport | undefined => {
  const { attempt, exitCode } = fields
  if (
    !isIdText(fields.taskId) ||
    !isIdText(fields.workerId) ||
    !(attempt === undefined || (isInt(attempt) && attempt >= 1)) ||
    fields.status === "CREATED" ||
    !(exitCode === undefined || isInt(exitCode)) ||
    !Array.isArray(fields.errors) ||
    !fields.errors.every((e) => typeof e === "string") ||
    Object.keys(fields.outputs).length > 0 ||
    !isStringRecord(fields.metadata)
  ) {
    return undefined
  }
  // Checked above with the schema's own rules: no second validation.
  return fields as TaskReport
}

/** Validates a status report; an unrecognized status number is an InvalidWireMessage. */
export const validateTaskStatusUpdate = (
  request: TaskStatusUpdateRequest,
): Either.Either<TaskReport, InvalidWireMessage> => {
  const status = taskStatusFromProto(request.status)
  if (Option.isNone(status)) {
    return Either.left(
      new InvalidWireMessage({
        messageType: "TaskStatusUpdateRequest",
        reason: `unrecognized task status ${request.status}`,
      }),
    )
  }
  const outputs: Record<string, { path: string; size: number; checksum: string }> = {}
  for (const [name, file] of Object.entries(request.outputs)) {
    outputs[name] = { path: file.path, size: file.size, checksum: file.checksum }
  }
  const fields = {
    taskId: request.taskId,
    workerId: request.workerId,
    attempt: request.attempt === 0 ? undefined : request.attempt,
    status: status.value,
    message: nonEmpty(request.message),
    errors: request.errors,
    exitCode: request.exitCode,
    outputs,
    metadata: request.metadata,
  }
  const checked = commonShape(fields)
  return checked === undefined ? decode(fields) : Either.right(checked)
}

/** As `validateTaskStatusUpdate`, as an Effect. */
export const decodeTaskStatusUpdate = (
  request: TaskStatusUpdateRequest,
): Effect.Effect<TaskReport, InvalidWireMessage> => Effect.suspend(() => validateTaskStatusUpdate(request))

/** The wire form of a report. */
export const encodeTaskStatusUpdate = (report: TaskReport): TaskStatusUpdateRequest =>
  TaskStatusUpdateRequest.fromPartial({
    taskId: report.taskId,
    workerId: report.workerId,
    attempt: report.attempt ?? 0,
    status: taskStatusToProto(report.status),
    message: report.message ?? "",
    errors: [...report.errors],
    ...(report.exitCode === undefined ? {} : { exitCode: report.exitCode }),
    outputs: Object.fromEntries(
      Object.entries(report.outputs).map(([name, file]) => [
        name,
        WireFileMetadata.fromPartial({
          fileName: basename(file.path),
          path: file.path,
          size: file.size,
          checksum: file.checksum,
        }),
      ]),
    ),
    metadata: report.metadata,
  })
