/**
 * A TaskAssignment as the worker runtime uses it: validated ids, the attempt it fences, the script
 * or handler, and its bindings. Field names match the executor's TaskRun.
 */
import { Duration, type Effect, Either, Schema } from "effect"
import { isStringRecord } from "../../domain/Fields.js"
import { Attempt, ExperimentId, isIdText, TaskId } from "../../domain/Ids.js"
import { InvalidWireMessage } from "./GrpcErrors.js"
import { TaskAssignment } from "./generated/worker.js"
import { decodeWireEither, nonEmpty } from "./internal/decodeWire.js"
import { durationFromProto, durationToProto } from "./ProtoTime.js"

const StringMap = Schema.Record({ key: Schema.String, value: Schema.String })

export class AssignedTask extends Schema.Class<AssignedTask>("AssignedTask")({
  taskId: TaskId,
  experimentId: ExperimentId,
  /** The task's key within its experiment, e.g. "simulate[3]". */
  key: Schema.NonEmptyString,
  /** The attempt this assignment fences (≥ 1); reports about the task must carry it. */
  attempt: Attempt.pipe(Schema.filter((n) => n >= 1 || "expected an attempt ≥ 1")),
  /** Bash script text; set unless `handler` is. */
  script: Schema.optional(Schema.String),
  /** In-process handler name. */
  handler: Schema.optional(Schema.NonEmptyString),
  inputs: StringMap,
  outputs: StringMap,
  environment: StringMap,
  timeoutSeconds: Schema.optional(Schema.Int.pipe(Schema.positive())),
}) {}

const decode = decodeWireEither(AssignedTask, "TaskAssignment")

type Fields = typeof AssignedTask.Encoded

/**
 * Whether the schema would accept `fields` as they are. Every check here is one of the schema's
 * own (ids: trimmed, 1–255 characters; attempt: a safe integer ≥ 1; ...), so what passes needs no
 * second decoding; anything else goes through the schema, which says what is wrong.
 */
const plainlyValid = (fields: Fields): boolean =>
  isIdText(fields.taskId) &&
  isIdText(fields.experimentId) &&
  typeof fields.key === "string" &&
  fields.key.length > 0 &&
  Number.isSafeInteger(fields.attempt) &&
  fields.attempt >= 1 &&
  (fields.script === undefined || typeof fields.script === "string") &&
  (fields.handler === undefined || (typeof fields.handler === "string" && fields.handler.length > 0)) &&
  isStringRecord(fields.inputs) &&
  isStringRecord(fields.outputs) &&
  isStringRecord(fields.environment) &&
  (fields.timeoutSeconds === undefined ||
    (Number.isSafeInteger(fields.timeoutSeconds) && fields.timeoutSeconds > 0))

/** The attempt an assignment is for: an original-protocol scheduler sends none, which means 1. */
export const assignedAttempt = (message: TaskAssignment): number =>
  message.attempt === 0 ? 1 : message.attempt

/**
 * Validates an assignment, without an Effect: the worker decodes one per task. Fields an original
 * Airavata scheduler does not send fall back to its behaviour: no task_key → the task id; no
 * attempt → 1; no execution_script → command.
 */
export const decodeTaskAssignmentEither = (
  message: TaskAssignment,
): Either.Either<AssignedTask, InvalidWireMessage> => {
  const script = nonEmpty(message.executionScript) ?? nonEmpty(message.command)
  const handler = nonEmpty(message.handler)
  if (script === undefined && handler === undefined) {
    return Either.left(
      new InvalidWireMessage({
        messageType: "TaskAssignment",
        reason: "neither execution_script, command nor handler",
      }),
    )
  }
  const timeout =
    message.timeout === undefined ? 0 : Math.ceil(Duration.toSeconds(durationFromProto(message.timeout)))
  const fields: Fields = {
    taskId: message.taskId,
    experimentId: message.experimentId,
    key: nonEmpty(message.taskKey) ?? message.taskId,
    attempt: assignedAttempt(message),
    script,
    handler,
    inputs: message.inputs,
    outputs: message.outputs,
    environment: message.environment,
    timeoutSeconds: timeout > 0 ? timeout : undefined,
  }
  // The usual assignment is well-formed: checked by hand, it skips the schema's decoding.
  return plainlyValid(fields)
    ? Either.right(new AssignedTask(fields as ConstructorParameters<typeof AssignedTask>[0], true))
    : decode(fields)
}

/** `decodeTaskAssignmentEither` as an Effect. */
export const decodeTaskAssignment = (
  message: TaskAssignment,
): Effect.Effect<AssignedTask, InvalidWireMessage> => decodeTaskAssignmentEither(message)

/** The wire form of an assignment; `extra` carries the original protocol's remaining fields. */
export const encodeTaskAssignment = (
  task: AssignedTask,
  extra: Pick<Partial<TaskAssignment>, "dependencies" | "inputFiles" | "outputFiles" | "metadata"> = {},
): TaskAssignment =>
  TaskAssignment.fromPartial({
    ...extra,
    taskId: task.taskId,
    experimentId: task.experimentId,
    taskKey: task.key,
    attempt: task.attempt,
    executionScript: task.script ?? "",
    handler: task.handler ?? "",
    inputs: task.inputs,
    outputs: task.outputs,
    environment: task.environment,
    ...(task.timeoutSeconds === undefined
      ? {}
      : { timeout: durationToProto(Duration.seconds(task.timeoutSeconds)) }),
  })
