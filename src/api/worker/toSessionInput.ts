/**
 * Translates a worker's stream messages into session inputs. Everything is decoded; a report or
 * output chunk naming another worker than the authenticated one is dropped as forged, never applied.
 */
import { Effect, Either, Option, Schema } from "effect"
import { SessionInput } from "../../actors/SessionMessages.js"
import { Attempt, TaskId, type WorkerId } from "../../domain/Ids.js"
import { Lease, LogChunk, ReportedStatus, type TaskReport } from "../../ports/StoreModel.js"
import type { WorkerProto } from "../grpc/index.js"
import { outputStreamFromProto, taskStatusToProto } from "../grpc/StatusMapping.js"
import { validateTaskStatusUpdate, type TaskReport as WireReport } from "../grpc/TaskReport.js"

const decodeChunk = Schema.decodeUnknown(LogChunk)
const decodeLease = Schema.decodeUnknown(Schema.Struct({ taskId: TaskId, attempt: Attempt }))
const isReportable = Schema.is(ReportedStatus)

const forgedMessage = (workerId: WorkerId, claimed: string, what: string) =>
  `dropped ${what} from worker ${workerId} claiming to be ${claimed}`
const forged = (workerId: WorkerId, claimed: string, what: string) =>
  Effect.logWarning(forgedMessage(workerId, claimed, what))

/** `update` validated and sent in the name of `workerId`, or why not (`what`: "report", …). */
const ownUpdate = (
  workerId: WorkerId,
  update: WorkerProto.TaskStatusUpdateRequest,
  what: string,
): Either.Either<WireReport, string> => {
  const validated = validateTaskStatusUpdate(update)
  if (Either.isLeft(validated)) return Either.left(`dropped malformed ${what}: ${validated.left.message}`)
  const claimed = validated.right.workerId
  return claimed === workerId
    ? Either.right(validated.right)
    : Either.left(forgedMessage(workerId, claimed, what))
}

/**
 * A status update as a store report, or why it cannot be applied (logged by the caller). Plain
 * code, not an Effect per report: reports arrive by the thousand per second.
 */
export const toReport = (
  workerId: WorkerId,
  update: WorkerProto.TaskStatusUpdateRequest,
): Either.Either<TaskReport, string> => {
  const own = ownUpdate(workerId, update, "report")
  if (Either.isLeft(own)) return Either.left(own.left)
  const decoded = own.right
  if (decoded.attempt === undefined || !isReportable(decoded.status)) {
    return Either.left(
      `dropped report on ${decoded.taskId}: status ${decoded.status}, attempt ${decoded.attempt ?? "none"}`,
    )
  }
  const error = decoded.status === "FAILED" ? (decoded.message ?? decoded.errors.join("; ")) : undefined
  const outputs: Record<string, { path: string; size: number; checksum: string }> = {}
  for (const [name, file] of Object.entries(decoded.outputs)) {
    outputs[name] = { path: file.path, size: file.size, checksum: file.checksum }
  }
  // Every field comes from the validated wire report: no second validation.
  return Either.right({
    taskId: decoded.taskId,
    attempt: decoded.attempt,
    workerId,
    status: decoded.status,
    ...(decoded.exitCode === undefined ? {} : { exitCode: decoded.exitCode }),
    ...(error === undefined || error === "" ? {} : { error }),
    result: { outputs, metadata: { ...decoded.metadata } },
  } satisfies TaskReport)
}

/** A worker reporting QUEUED gives the attempt back unstarted (see PrefetchWindow). */
const handBackStatus = taskStatusToProto("QUEUED")

const toHandBack = (
  workerId: WorkerId,
  update: WorkerProto.TaskStatusUpdateRequest,
): Either.Either<Lease, string> => {
  const own = ownUpdate(workerId, update, "hand-back")
  if (Either.isLeft(own)) return Either.left(own.left)
  const { taskId, attempt } = own.right
  if (attempt === undefined) return Either.left(`dropped hand-back of ${taskId}: no attempt`)
  return Either.right(Lease.make({ taskId, attempt }))
}

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
      const reports: Array<TaskReport> = []
      const handedBack: Array<Lease> = []
      const dropped: Array<string> = []
      for (const update of updates) {
        if (update.status === handBackStatus) {
          const lease = toHandBack(workerId, update)
          if (Either.isRight(lease)) handedBack.push(lease.right)
          else dropped.push(lease.left)
          continue
        }
        const report = toReport(workerId, update)
        if (Either.isRight(report)) reports.push(report.right)
        else dropped.push(report.left)
      }
      return Effect.as(
        Effect.forEach(dropped, (why) => Effect.logWarning(why), { discard: true }),
        handedBack.length === 0
          ? [SessionInput.Reports({ reports })]
          : [SessionInput.Reports({ reports }), SessionInput.HandBack({ leases: handedBack })],
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
