/**
 * A TaskAssignment as the worker runtime uses it: validated ids, the attempt it fences, the script
 * or handler, and its bindings. Field names match the executor's TaskRun.
 */
import { Duration, Effect, Schema } from "effect"
import { Attempt, ExperimentId, TaskId } from "../../domain/Ids.js"
import { InvalidWireMessage } from "./GrpcErrors.js"
import { TaskAssignment } from "./generated/worker.js"
import { decodeWire, nonEmpty } from "./internal/decodeWire.js"
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

const decode = decodeWire(AssignedTask, "TaskAssignment")

/**
 * Validates an assignment. Fields an original Airavata scheduler does not send fall back to its
 * behaviour: no task_key → the task id; no attempt → 1; no execution_script → command.
 */
export const decodeTaskAssignment = (
  message: TaskAssignment,
): Effect.Effect<AssignedTask, InvalidWireMessage> => {
  const script = nonEmpty(message.executionScript) ?? nonEmpty(message.command)
  const handler = nonEmpty(message.handler)
  if (script === undefined && handler === undefined) {
    return Effect.fail(
      new InvalidWireMessage({
        messageType: "TaskAssignment",
        reason: "neither execution_script, command nor handler",
      }),
    )
  }
  const timeout = Math.ceil(Duration.toSeconds(durationFromProto(message.timeout)))
  return decode({
    taskId: message.taskId,
    experimentId: message.experimentId,
    key: nonEmpty(message.taskKey) ?? message.taskId,
    attempt: message.attempt === 0 ? 1 : message.attempt,
    script,
    handler,
    inputs: message.inputs,
    outputs: message.outputs,
    environment: message.environment,
    timeoutSeconds: timeout > 0 ? timeout : undefined,
  })
}

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
