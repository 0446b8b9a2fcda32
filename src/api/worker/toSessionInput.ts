/**
 * Translates a worker's stream messages into session inputs. Everything is decoded; a report or
 * output chunk naming another worker than the authenticated one is dropped as forged, never applied.
 */
import { Effect, Option, Schema } from "effect"
import { SessionInput } from "../../actors/SessionMessages.js"
import { Attempt, TaskId, type WorkerId } from "../../domain/Ids.js"
import { LogChunk, ReportedStatus, TaskReport } from "../../ports/StoreModel.js"
import type { WorkerProto } from "../grpc/index.js"
import { outputStreamFromProto } from "../grpc/StatusMapping.js"
import { decodeTaskStatusUpdate } from "../grpc/TaskReport.js"

const decodeReport = Schema.decodeUnknown(TaskReport)
const decodeChunk = Schema.decodeUnknown(LogChunk)
const decodeLease = Schema.decodeUnknown(Schema.Struct({ taskId: TaskId, attempt: Attempt }))
const isReportable = Schema.is(ReportedStatus)

const forged = (workerId: WorkerId, claimed: string, what: string) =>
  Effect.logWarning(`dropped ${what} from worker ${workerId} claiming to be ${claimed}`)

/** A status update as a store report, or nothing (logged) when it cannot be applied. */
export const toReport = (workerId: WorkerId, update: WorkerProto.TaskStatusUpdateRequest) =>
  Effect.gen(function* () {
    const decoded = yield* decodeTaskStatusUpdate(update)
    if (decoded.workerId !== workerId)
      return yield* forged(workerId, decoded.workerId, "report").pipe(Effect.as(Option.none()))
    if (decoded.attempt === undefined || !isReportable(decoded.status)) {
      yield* Effect.logWarning(
        `dropped report on ${decoded.taskId}: status ${decoded.status}, attempt ${decoded.attempt ?? "none"}`,
      )
      return Option.none()
    }
    const error = decoded.status === "FAILED" ? (decoded.message ?? decoded.errors.join("; ")) : undefined
    return Option.some(
      yield* decodeReport({
        taskId: decoded.taskId,
        attempt: decoded.attempt,
        workerId,
        status: decoded.status,
        ...(decoded.exitCode === undefined ? {} : { exitCode: decoded.exitCode }),
        ...(error === undefined || error === "" ? {} : { error }),
        result: { outputs: decoded.outputs, metadata: decoded.metadata },
      }),
    )
  }).pipe(
    Effect.catchAll((e) =>
      Effect.logWarning(`dropped malformed report: ${e.message}`).pipe(Effect.as(Option.none())),
    ),
  )

const toChunk = (workerId: WorkerId, output: WorkerProto.TaskOutput) =>
  Effect.gen(function* () {
    if (output.workerId !== "" && output.workerId !== workerId) {
      return yield* forged(workerId, output.workerId, "output").pipe(Effect.as(Option.none()))
    }
    const stream = Option.getOrElse(outputStreamFromProto(output.type), () => "stdout" as const)
    return Option.some(
      yield* decodeChunk({
        taskId: output.taskId,
        attempt: output.attempt,
        stream: stream === "stderr" ? "stderr" : "stdout",
        seq: output.seq,
        data: output.data.toString("utf8"),
      }),
    )
  }).pipe(
    Effect.catchAll((e) =>
      Effect.logWarning(`dropped malformed output: ${e.message}`).pipe(Effect.as(Option.none())),
    ),
  )

const somes = <A>(options: ReadonlyArray<Option.Option<A>>) =>
  options.flatMap((o) => (Option.isSome(o) ? [o.value] : []))

/** The session inputs one stream message carries (none for messages the scheduler only logs). */
export const toSessionInputs = (
  workerId: WorkerId,
  message: WorkerProto.WorkerMessage,
): Effect.Effect<ReadonlyArray<SessionInput>> => {
  const m = message.message
  switch (m?.$case) {
    case "taskRequest":
      return Effect.succeed([SessionInput.Credits({ credits: m.value.credits === 0 ? 1 : m.value.credits })])
    case "heartbeat":
      return Effect.forEach(m.value.activeTasks, (ref) => decodeLease(ref).pipe(Effect.option)).pipe(
        Effect.map((leases) => [SessionInput.Heartbeat({ leases: somes(leases) })]),
      )
    case "taskStatus":
    case "taskStatusBatch": {
      const updates = m.$case === "taskStatus" ? [m.value] : m.value.updates
      return Effect.forEach(updates, (u) => toReport(workerId, u)).pipe(
        Effect.map((reports) => [SessionInput.Reports({ reports: somes(reports) })]),
      )
    }
    case "taskOutput":
    case "taskOutputBatch": {
      const outputs = m.$case === "taskOutput" ? [m.value] : m.value.outputs
      return Effect.forEach(outputs, (o) => toChunk(workerId, o)).pipe(
        Effect.map((chunks) => [SessionInput.Output({ chunks: somes(chunks) })]),
      )
    }
    default:
      return Effect.succeed([])
  }
}
