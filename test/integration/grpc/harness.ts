/** Shared set-up for the gRPC tests: a loopback server with chosen handlers, and a client for it. */
import { Deferred, Effect, Queue, type Scope, Stream } from "effect"
import type { GrpcCallError } from "../../../src/api/grpc/GrpcErrors.js"
import { GrpcStatusError } from "../../../src/api/grpc/GrpcErrors.js"
import { type DeepPartial, ServerMessage, WorkerMessage } from "../../../src/api/grpc/generated/worker.js"
import {
  makeWorkerGrpcClient,
  type PollSession,
  type WorkerGrpcClientService,
} from "../../../src/api/grpc/WorkerGrpcClient.js"
import {
  type BoundServer,
  serveWorkerService,
  type WorkerServiceHandlers,
} from "../../../src/api/grpc/WorkerGrpcServer.js"

const unimplemented = (method: string) =>
  new GrpcStatusError({ status: "UNIMPLEMENTED", message: `${method} is not used by this test` })

/** Handlers that answer UNIMPLEMENTED except those a test supplies. */
export const handlersWith = <R = never>(
  partial: Partial<WorkerServiceHandlers<R>>,
): WorkerServiceHandlers<R> => ({
  registerWorker: () => Effect.fail(unimplemented("RegisterWorker")),
  reportTaskStatus: () => Effect.fail(unimplemented("ReportTaskStatus")),
  sendHeartbeat: () => Effect.fail(unimplemented("SendHeartbeat")),
  requestDataStaging: () => Effect.fail(unimplemented("RequestDataStaging")),
  pollForTask: () => Stream.fail(unimplemented("PollForTask")),
  ...partial,
})

/** Serves `handlers` on a free loopback port for the rest of the scope. */
export const serveLoopback = <R>(
  handlers: WorkerServiceHandlers<R>,
): Effect.Effect<BoundServer, never, Scope.Scope | R> =>
  serveWorkerService(handlers, { host: "127.0.0.1", port: 0, shutdownGrace: "5 seconds" }).pipe(Effect.orDie)

/** A client of the server at `port`, closed with the scope. */
export const clientFor = (
  port: number,
  metadata?: Readonly<Record<string, string>>,
): Effect.Effect<WorkerGrpcClientService, never, Scope.Scope> =>
  makeWorkerGrpcClient({
    address: `127.0.0.1:${port}`,
    deadline: "10 seconds",
    ...(metadata ? { metadata } : {}),
  })

/** Collects a session's messages into a queue; `ended` completes with how the stream ended. */
export const drainInto = (session: PollSession) =>
  Effect.gen(function* () {
    const inbox = yield* Queue.unbounded<ServerMessage>()
    const ended = yield* Deferred.make<void, GrpcCallError>()
    yield* session.messages.pipe(
      Stream.runForEach((message) => Queue.offer(inbox, message)),
      Effect.exit,
      Effect.flatMap((exit) => Deferred.done(ended, exit)),
      Effect.forkScoped,
    )
    return { inbox, ended }
  })

/** A ServerMessage from its oneof case. */
export const server = (message: DeepPartial<ServerMessage>["message"]) =>
  ServerMessage.fromPartial({ message })
/** A WorkerMessage from its oneof case. */
export const worker = (message: DeepPartial<WorkerMessage>["message"]) =>
  WorkerMessage.fromPartial({ message })
