/** Translates session outputs into the worker's stream messages. */
import { Duration, Effect } from "effect"
import type { SessionOutput } from "../../actors/SessionMessages.js"
import type { TaskId } from "../../domain/Ids.js"
import type { ClaimedTask } from "../../ports/StoreModel.js"
import { WorkerProto } from "../grpc/index.js"
import { durationToProto } from "../grpc/ProtoTime.js"

/** Where a completed upstream task's outputs are: the attempt that completed it and its declared files. */
export interface UpstreamAttempt {
  readonly key: string
  readonly attempt: number
  readonly outputs: Readonly<Record<string, string>>
}

/**
 * The wire assignment of a claimed task with its inputs split into values and upstream refs, built
 * as `fromPartial` would but without its copies (the encoder only reads these maps).
 */
const assignment = (
  task: ClaimedTask,
  inputs: Readonly<Record<string, string>>,
  inputRefs: Readonly<Record<string, WorkerProto.UpstreamOutput>>,
): WorkerProto.TaskAssignment => ({
  taskId: task.taskId,
  experimentId: task.experimentId,
  command: task.script,
  executionScript: task.script,
  dependencies: Object.values(task.upstream),
  inputFiles: [],
  outputFiles: [],
  environment: task.environment,
  timeout:
    task.timeoutSeconds === undefined ? undefined : durationToProto(Duration.seconds(task.timeoutSeconds)),
  metadata: {},
  attempt: task.attempt,
  taskKey: task.key,
  handler: task.handler ?? "",
  inputs,
  outputs: task.outputs,
  inputRefs,
})

/** The assignment of a task whose inputs are all values (no upstream output to look up), or undefined. */
const plainAssignment = (task: ClaimedTask): WorkerProto.TaskAssignment | undefined => {
  for (const value of Object.values(task.inputs)) if (typeof value !== "string") return undefined
  return assignment(task, task.inputs as Readonly<Record<string, string>>, {})
}

/** The assignment of a task some of whose inputs are upstream outputs, looked up as input refs. */
const withUpstream = <E, R>(
  claimed: ClaimedTask,
  upstreamOf: (id: TaskId) => Effect.Effect<UpstreamAttempt, E, R>,
): Effect.Effect<WorkerProto.TaskAssignment, E, R> =>
  Effect.gen(function* () {
    const inputs: Record<string, string> = {}
    const inputRefs: Record<string, WorkerProto.UpstreamOutput> = {}
    for (const [name, value] of Object.entries(claimed.inputs)) {
      if (typeof value === "string") {
        inputs[name] = value
        continue
      }
      const upstreamId = claimed.upstream[value.task]
      if (upstreamId === undefined) continue
      const upstream = yield* upstreamOf(upstreamId)
      inputRefs[name] = WorkerProto.UpstreamOutput.fromPartial({
        taskId: upstreamId,
        taskKey: upstream.key,
        attempt: upstream.attempt,
        file: upstream.outputs[value.output] ?? value.output,
      })
    }
    return assignment(claimed, inputs, inputRefs)
  })

/** The wire assignment of a claimed task; OutputRef inputs become input_refs the worker resolves. */
export const toAssignment = <E, R>(
  claimed: ClaimedTask,
  upstreamOf: (id: TaskId) => Effect.Effect<UpstreamAttempt, E, R>,
): Effect.Effect<WorkerProto.TaskAssignment, E, R> => {
  const plain = plainAssignment(claimed)
  return plain === undefined ? withUpstream(claimed, upstreamOf) : Effect.succeed(plain)
}

const assignMessage = (assignments: Array<WorkerProto.TaskAssignment>): WorkerProto.ServerMessage =>
  assignments.length === 1 && assignments[0] !== undefined
    ? { message: { $case: "taskAssignment", value: assignments[0] } }
    : { message: { $case: "taskAssignmentBatch", value: { assignments } } }

export const toServerMessage = <E, R>(
  output: SessionOutput,
  upstreamOf: (id: TaskId) => Effect.Effect<UpstreamAttempt, E, R>,
): Effect.Effect<WorkerProto.ServerMessage, E, R> => {
  switch (output._tag) {
    case "Assign": {
      // Most batches look nothing up: built in one go rather than an effect per task.
      const plain = output.tasks.map(plainAssignment)
      if (plain.every((a) => a !== undefined)) return Effect.succeed(assignMessage(plain))
      return Effect.forEach(output.tasks, (t, i) => {
        const ready = plain[i]
        return ready === undefined ? withUpstream(t, upstreamOf) : Effect.succeed(ready)
      }).pipe(Effect.map(assignMessage))
    }
    case "Cancel":
      return Effect.succeed({
        message: {
          $case: "taskCancellation" as const,
          value: WorkerProto.TaskCancellation.fromPartial({
            taskId: output.taskId,
            attempt: output.attempt,
            reason: output.reason,
            gracePeriod: durationToProto(Duration.seconds(10)),
          }),
        },
      })
  }
}
