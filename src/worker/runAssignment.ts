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
  sanitizeSegment,
  type TaskEvent,
  TaskExecutor,
  type TaskResult,
  TaskRun,
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

const failureMessage = (result: TaskResult): string | undefined => {
  if (!result.succeeded) return result.message
  if (result.missingOutputs.length > 0) {
    return `declared output(s) not written: ${result.missingOutputs.join(", ")}`
  }
  return undefined
}

export const runAssignment = (
  task: AssignedTask,
  inputRefs: Readonly<Record<string, WorkerProto.UpstreamOutput>>,
  context: {
    readonly workerId: string
    readonly workingDir: string
    readonly offer: (item: Outgoing) => Effect.Effect<unknown>
    readonly cancel: Effect.Effect<void>
  },
) =>
  Effect.gen(function* () {
    const executor = yield* TaskExecutor
    const { workerId, offer } = context
    const status = (
      value: TaskStatus,
      extra: Partial<WorkerProto.TaskStatusUpdateRequest> = {},
    ): Effect.Effect<unknown> =>
      offer({
        _tag: "Status",
        update: WorkerProto.TaskStatusUpdateRequest.fromPartial({
          taskId: task.taskId,
          workerId,
          attempt: task.attempt,
          status: taskStatusToProto(value),
          ...extra,
        }),
      })
    const inputs = { ...task.inputs }
    for (const [name, ref] of Object.entries(inputRefs)) {
      inputs[name] = upstreamPath(context.workingDir, task.experimentId, ref)
    }
    const bindings = { inputs, outputs: task.outputs, environment: task.environment }
    // The wire decoding checked the rest of the assignment: only the bindings are left to check.
    const checked = validateBindings(bindings)
    if (Either.isLeft(checked)) {
      const reason = ParseResult.TreeFormatter.formatErrorSync(checked.left)
      const message = new InvalidTaskRun({ taskId: task.taskId, reason }).message
      return yield* status("FAILED", { message, errors: [message] })
    }
    const run = TaskRun.make(
      {
        taskId: task.taskId,
        experimentId: task.experimentId,
        key: task.key,
        attempt: task.attempt,
        ...(task.script === undefined ? {} : { script: task.script }),
        ...(task.handler === undefined ? {} : { handler: task.handler }),
        ...bindings,
        ...(task.timeoutSeconds === undefined ? {} : { timeoutSeconds: task.timeoutSeconds }),
      },
      true,
    )
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
          const exitCode = result.exitCode === null ? {} : { exitCode: result.exitCode }
          if (error !== undefined) return status("FAILED", { message: error, errors: [error], ...exitCode })
          const outputs = Object.fromEntries(
            result.outputs.map((file) => [
              file.name,
              CommonProto.FileMetadata.fromPartial({
                fileName: Path.basename(file.path),
                path: Path.relative(result.workingDir, file.path),
                size: file.size,
                checksum: file.sha256,
              }),
            ]),
          )
          return status("COMPLETED", {
            message: result.message,
            outputs,
            metadata: result.metadata,
            ...exitCode,
          })
        }
      }
    }
    yield* executor.runForEach(run, forward, { cancel: context.cancel }).pipe(
      // The attempt could not even start (bad handler name, unwritable directory): that is a failure.
      Effect.catchAll((error) => status("FAILED", { message: error.message, errors: [error.message] })),
    )
  })
