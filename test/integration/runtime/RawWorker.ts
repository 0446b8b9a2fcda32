/**
 * A hand-driven worker for fault injection: it speaks WorkerService through the real gRPC client
 * but sends only what a test tells it to — so it can take an assignment and go silent, or forge
 * reports — and collects what the scheduler sends back.
 */
import { Deferred, Duration, Effect, Option, Queue, Redacted, Schema, Stream } from "effect"
import type { GrpcCallError } from "../../../src/api/grpc/GrpcErrors.js"
import {
  type ServerMessage,
  type TaskAssignment,
  type TaskCancellation,
  TaskRequest,
  TaskStatusUpdateRequest,
} from "../../../src/api/grpc/generated/worker.js"
import { taskStatusToProto } from "../../../src/api/grpc/StatusMapping.js"
import { makeWorkerGrpcClient, type WorkerGrpcClientService } from "../../../src/api/grpc/WorkerGrpcClient.js"
import { WorkerId } from "../../../src/domain/Ids.js"
import type { TaskStatus } from "../../../src/domain/Status.js"
import { LOCAL_COMPUTE } from "../../../src/programs/localDirectory.js"
import { registerWorkerWithToken } from "../../../src/programs/registerWorker.js"
import { NotReached } from "./harness.js"

/** A client presenting `token` as worker `workerId` (bearer header and worker-id header). */
export const clientAs = (port: number, workerId: string, token: string) =>
  makeWorkerGrpcClient({
    address: `127.0.0.1:${port}`,
    deadline: "10 seconds",
    metadata: { authorization: `Bearer ${token}`, "x-airavata-worker-id": workerId },
  })

export interface RawWorker {
  readonly workerId: WorkerId
  readonly token: string
  readonly client: WorkerGrpcClientService
}

/** Registers worker `name` in the store with a fresh token (as provisioning does) and connects as it. */
export const provisionRawWorker = (port: number, name: string) =>
  Effect.gen(function* () {
    const workerId = yield* Schema.decode(WorkerId)(name)
    const token = Redacted.value(yield* registerWorkerWithToken(workerId, LOCAL_COMPUTE, 1))
    const client = yield* clientAs(port, workerId, token)
    return { workerId, token, client } satisfies RawWorker
  }).pipe(Effect.orDie)

/** A status report as a worker sends it. */
export const statusUpdate = (report: {
  readonly taskId: string
  readonly workerId: string
  readonly attempt: number
  readonly status: TaskStatus
}) =>
  TaskStatusUpdateRequest.fromPartial({
    taskId: report.taskId,
    workerId: report.workerId,
    attempt: report.attempt,
    status: taskStatusToProto(report.status),
    ...(report.status === "COMPLETED" ? { exitCode: 0 } : {}),
  })

/** An open PollForTask stream of a raw worker. */
export interface RawSession {
  /** Offers `credits` more slots. */
  readonly credit: (credits: number) => Effect.Effect<void, GrpcCallError>
  /** Sends a status report on the stream. */
  readonly report: (update: TaskStatusUpdateRequest) => Effect.Effect<void, GrpcCallError>
  /** Half-closes: the worker says goodbye. */
  readonly end: Effect.Effect<void>
  /** The next assignment, skipping other messages. */
  readonly nextAssignment: Effect.Effect<TaskAssignment, NotReached>
  /** The next cancellation, skipping other messages. */
  readonly nextCancellation: Effect.Effect<TaskCancellation, NotReached>
  /** Completes with how the server ended the stream. */
  readonly ended: Deferred.Deferred<void, GrpcCallError>
}

/** Opens the worker's stream for the rest of the scope; nothing is sent until the test says so. */
export const openSession = (worker: RawWorker) =>
  Effect.gen(function* () {
    const session = yield* worker.client.pollForTask()
    const inbox = yield* Queue.unbounded<ServerMessage>()
    const ended = yield* Deferred.make<void, GrpcCallError>()
    yield* session.messages.pipe(
      Stream.runForEach((message) => Queue.offer(inbox, message)),
      Effect.exit,
      Effect.flatMap((exit) => Deferred.done(ended, exit)),
      Effect.forkScoped,
    )
    const next = <A>(what: string, pick: (message: ServerMessage) => Option.Option<A>) => {
      const loop: Effect.Effect<A> = Effect.flatMap(Queue.take(inbox), (message) =>
        Option.match(pick(message), { onNone: () => loop, onSome: Effect.succeed }),
      )
      return loop.pipe(
        Effect.timeoutFail({
          duration: Duration.seconds(30),
          onTimeout: () => new NotReached({ what: `${what} for ${worker.workerId}`, last: "" }),
        }),
      )
    }
    return {
      credit: (credits) =>
        session.send({
          message: {
            $case: "taskRequest",
            value: TaskRequest.fromPartial({ workerId: worker.workerId, credits }),
          },
        }),
      report: (update) => session.send({ message: { $case: "taskStatus", value: update } }),
      end: session.end,
      nextAssignment: next("an assignment", (m) =>
        m.message?.$case === "taskAssignment" ? Option.some(m.message.value) : Option.none(),
      ),
      nextCancellation: next("a cancellation", (m) =>
        m.message?.$case === "taskCancellation" ? Option.some(m.message.value) : Option.none(),
      ),
      ended,
    } satisfies RawSession
  })
