/**
 * Runs one assignment on this worker: resolve upstream outputs to paths, run the attempt through
 * the TaskExecutor, forward its output, and report RUNNING then COMPLETED or FAILED, all fenced by
 * the attempt. A canceled attempt reports nothing: its lease is already gone.
 */
import * as Path from "node:path"
import { Effect, Either, ParseResult, Schema } from "effect"
import type { AssignedTask } from "../api/grpc/AssignedTask.js"
import { CommonProto, outputStreamToProto, taskStatusToProto, WorkerProto } from "../api/grpc/index.js"
import type { TaskStatus } from "../domain/Status.js"
import {
  EnvRecord,
  InvalidTaskRun,
  isEnvRecord,
  makeTaskRun,
  sanitizeSegment,
  type TaskEvent,
  TaskExecutor,
  type TaskResult,
  type TaskRun,
} from "./executor/index.js"
import type { Outgoing } from "./Outbox.js"

/** Where an upstream attempt's output file lives under this worker's working directory. */
export const upstreamPath = (workingDir: string, experimentId: string, ref: WorkerProto.UpstreamOutput) =>
  Path.resolve(
    workingDir,
    sanitizeSegment(experimentId),
    sanitizeSegment(ref.taskKey),
    `attempt-${ref.attempt}`,
    ref.file,
  )

/** What a process environment cannot carry; the wire decoding accepts any string map. */
const validateBindings = Schema.validateEither(
  Schema.Struct({ inputs: EnvRecord, outputs: EnvRecord, environment: EnvRecord }),
)

type TaskRunFields = ConstructorParameters<typeof TaskRun>[0]

const failureMessage = (result: TaskResult): string | undefined => {
  if (!result.succeeded) return result.message
  if (result.missingOutputs.length > 0) {
    return `declared output(s) not written: ${result.missingOutputs.join(", ")}`
  }
  return undefined
}

/** What a status report may carry besides the status and its message. */
export interface StatusFields {
  readonly errors?: Array<string>
  readonly exitCode?: number | null
  readonly outputs?: Record<string, CommonProto.FileMetadata>
  readonly metadata?: Record<string, string>
}

/** A status report of attempt `attempt` of `taskId`, built as `fromPartial` would but without its copies. */
export const statusUpdate = (
  attempt: { readonly taskId: string; readonly attempt: number },
  workerId: string,
  value: TaskStatus,
  message = "",
  fields: StatusFields = {},
): WorkerProto.TaskStatusUpdateRequest => ({
  taskId: attempt.taskId,
  workerId,
  status: taskStatusToProto(value),
  message,
  errors: fields.errors ?? [],
  metrics: undefined,
  metadata: fields.metadata ?? {},
  attempt: attempt.attempt,
  exitCode: fields.exitCode ?? undefined,
  outputs: fields.outputs ?? {},
})

export interface AssignmentContext {
  readonly workerId: string
  readonly workingDir: string
  readonly offer: (item: Outgoing) => Effect.Effect<unknown>
  readonly cancel: Effect.Effect<void>
}

export const runAssignment = (
  task: AssignedTask,
  inputRefs: Readonly<Record<string, WorkerProto.UpstreamOutput>>,
  context: AssignmentContext,
): Effect.Effect<void, never, TaskExecutor> =>
  Effect.flatMap(TaskExecutor, (executor) => runAssignmentWith(executor, task, inputRefs, context))

/**
 * `runAssignment` on a given executor. Plain combinators rather than Effect.gen: this runs once
 * per task on the worker's hot path.
 */
export const runAssignmentWith = (
  executor: TaskExecutor["Type"],
  task: AssignedTask,
  inputRefs: Readonly<Record<string, WorkerProto.UpstreamOutput>>,
  context: AssignmentContext,
): Effect.Effect<void> => {
  const { workerId, offer } = context
  const status = (value: TaskStatus, message = "", fields: StatusFields = {}): Effect.Effect<unknown> =>
    offer({ _tag: "Status", update: statusUpdate(task, workerId, value, message, fields) })
  let inputs = task.inputs
  const refs = Object.entries(inputRefs)
  if (refs.length > 0) {
    const resolved = { ...task.inputs }
    for (const [name, ref] of refs) resolved[name] = upstreamPath(context.workingDir, task.experimentId, ref)
    inputs = resolved
  }
  // The wire decoding checked the rest of the assignment: only the bindings are left to check,
  // by hand first; the schema only words the reason of a rejection.
  if (!isEnvRecord(inputs) || !isEnvRecord(task.outputs) || !isEnvRecord(task.environment)) {
    const checked = validateBindings({ inputs, outputs: task.outputs, environment: task.environment })
    if (Either.isLeft(checked)) {
      const reason = ParseResult.TreeFormatter.formatErrorSync(checked.left)
      const message = new InvalidTaskRun({ taskId: task.taskId, reason }).message
      return Effect.asVoid(status("FAILED", message, { errors: [message] }))
    }
  }
  // Every field is checked: the ids, key and attempt by the wire decoding, the bindings above.
  const fields: { -readonly [K in keyof TaskRunFields]: TaskRunFields[K] } = {
    taskId: task.taskId,
    experimentId: task.experimentId,
    key: task.key,
    attempt: task.attempt,
    inputs,
    outputs: task.outputs,
    environment: task.environment,
  }
  if (task.script !== undefined) fields.script = task.script
  if (task.handler !== undefined) fields.handler = task.handler
  if (task.timeoutSeconds !== undefined) fields.timeoutSeconds = task.timeoutSeconds
  const run = makeTaskRun(fields)
  /** Forwards one event of the attempt: RUNNING, an output chunk, or the final status. */
  const forward = (event: TaskEvent): Effect.Effect<unknown> => {
    switch (event._tag) {
      case "TaskStarted":
        return status("RUNNING")
      case "TaskOutput":
        return offer({
          _tag: "Output",
          output: WorkerProto.TaskOutput.fromPartial({
            taskId: task.taskId,
            workerId,
            attempt: task.attempt,
            seq: event.chunk.seq,
            type: outputStreamToProto(event.chunk.stream),
            data: Buffer.from(event.chunk.data, "utf8"),
          }),
        })
      case "TaskFinished": {
        const result = event.result
        if (result.canceled) return Effect.void
        const error = failureMessage(result)
        if (error !== undefined)
          return status("FAILED", error, { errors: [error], exitCode: result.exitCode })
        const outputs: Record<string, CommonProto.FileMetadata> = {}
        for (const file of result.outputs) {
          outputs[file.name] = CommonProto.FileMetadata.fromPartial({
            fileName: Path.basename(file.path),
            path: Path.relative(result.workingDir, file.path),
            size: file.size,
            checksum: file.sha256,
          })
        }
        return status("COMPLETED", result.message, {
          outputs,
          metadata: result.metadata,
          exitCode: result.exitCode,
        })
      }
    }
  }
  return executor.runForEach(run, forward, { cancel: context.cancel }).pipe(
    // The attempt could not even start (bad handler name, unwritable directory): that is a failure.
    Effect.catchAll((error) => status("FAILED", error.message, { errors: [error.message] })),
    Effect.asVoid,
  )
}
