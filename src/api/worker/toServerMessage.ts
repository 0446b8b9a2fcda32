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

/** The wire assignment of a claimed task; OutputRef inputs become input_refs the worker resolves. */
export const toAssignment = <E, R>(
  claimed: ClaimedTask,
  upstreamOf: (id: TaskId) => Effect.Effect<UpstreamAttempt, E, R>,
): Effect.Effect<WorkerProto.TaskAssignment, E, R> =>
  Effect.gen(function* () {
    const task = claimed
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
    const timeout = task.timeoutSeconds
    return WorkerProto.TaskAssignment.fromPartial({
      taskId: task.taskId,
      experimentId: task.experimentId,
      command: task.script,
      executionScript: task.script,
      taskKey: task.key,
      attempt: task.attempt,
      handler: task.handler ?? "",
      inputs,
      inputRefs,
      outputs: task.outputs,
      environment: task.environment,
      dependencies: Object.values(claimed.upstream),
      ...(timeout === undefined ? {} : { timeout: durationToProto(Duration.seconds(timeout)) }),
    })
  })

export const toServerMessage = <E, R>(
  output: SessionOutput,
  upstreamOf: (id: TaskId) => Effect.Effect<UpstreamAttempt, E, R>,
): Effect.Effect<WorkerProto.ServerMessage, E, R> => {
  switch (output._tag) {
    case "Assign":
      return Effect.forEach(output.tasks, (t) => toAssignment(t, upstreamOf)).pipe(
        Effect.map((assignments) =>
          assignments.length === 1 && assignments[0] !== undefined
            ? { message: { $case: "taskAssignment" as const, value: assignments[0] } }
            : { message: { $case: "taskAssignmentBatch" as const, value: { assignments } } },
        ),
      )
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
