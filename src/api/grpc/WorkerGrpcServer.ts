/**
 * The WorkerService gRPC server as a scoped Effect resource: Effect handlers in, a bound port out,
 * graceful shutdown when the scope closes.
 */
import * as grpc from "@grpc/grpc-js"
import {
  Cause,
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  FiberId,
  FiberSet,
  Layer,
  Option,
  Stream,
} from "effect"
import type { Scope } from "effect/Scope"
import { type CallContext, makeCallContext } from "./CallContext.js"
import { GrpcServerError, type GrpcStatusError } from "./GrpcErrors.js"
import { grpcStatusCode } from "./GrpcStatus.js"
import {
  type HeartbeatRequest,
  type HeartbeatResponse,
  type ServerMessage,
  type TaskStatusUpdateRequest,
  type TaskStatusUpdateResponse,
  type WorkerDataStagingRequest,
  type WorkerDataStagingResponse,
  type WorkerMessage,
  type WorkerRegistrationRequest,
  type WorkerRegistrationResponse,
  type WorkerServiceServer,
  WorkerServiceService,
} from "./generated/worker.js"
import { fromObjectSource, writeObject } from "./internal/objectStreams.js"

/** A unary RPC: fail with GrpcStatusError to answer that status; a defect answers INTERNAL. */
export type UnaryHandler<Req, Res, R> = (
  request: Req,
  context: CallContext,
) => Effect.Effect<Res, GrpcStatusError, R>

/** The Effect implementation of WorkerService. */
export interface WorkerServiceHandlers<R = never> {
  readonly registerWorker: UnaryHandler<WorkerRegistrationRequest, WorkerRegistrationResponse, R>
  readonly reportTaskStatus: UnaryHandler<TaskStatusUpdateRequest, TaskStatusUpdateResponse, R>
  readonly sendHeartbeat: UnaryHandler<HeartbeatRequest, HeartbeatResponse, R>
  readonly requestDataStaging: UnaryHandler<WorkerDataStagingRequest, WorkerDataStagingResponse, R>
  /**
   * A worker's session. `incoming` yields the worker's messages and ends when the worker
   * half-closes; the returned stream is written back, with backpressure. When it ends the call
   * ends OK; when it fails the call ends with that status. The fiber is interrupted when the
   * worker cancels the call, and when the server shuts down (the worker then sees UNAVAILABLE).
   */
  readonly pollForTask: (
    incoming: Stream.Stream<WorkerMessage>,
    context: CallContext,
  ) => Stream.Stream<ServerMessage, GrpcStatusError, R>
}

export interface WorkerGrpcServerOptions {
  /** Default "0.0.0.0". */
  readonly host?: string
  /** Default 50051 (the reference scheduler's); 0 picks a free port. */
  readonly port?: number
  /** Default insecure (plaintext), as the reference scheduler. */
  readonly credentials?: grpc.ServerCredentials
  /** How long in-flight unary calls may take to finish at shutdown before they are cut; default 10 s. */
  readonly shutdownGrace?: Duration.DurationInput
  readonly channelOptions?: grpc.ChannelOptions
}

/** Where the server listens. */
export interface BoundServer {
  readonly host: string
  readonly port: number
}

/** The running WorkerService server, for layers that need its port. */
export class WorkerGrpcServer extends Context.Tag("airavata/api/WorkerGrpcServer")<
  WorkerGrpcServer,
  BoundServer
>() {}

const shuttingDown: grpc.StatusObject = {
  code: grpc.status.UNAVAILABLE,
  details: "server shutting down",
  metadata: new grpc.Metadata(),
}

/** The status a failed handler answers; defects are logged and answered INTERNAL without details. */
const failureStatus = (
  method: string,
  cause: Cause.Cause<GrpcStatusError>,
): Effect.Effect<grpc.StatusObject> =>
  Option.match(Cause.failureOption(cause), {
    onSome: (error) =>
      Effect.succeed({
        code: grpcStatusCode(error.status),
        details: error.message,
        metadata: new grpc.Metadata(),
      }),
    onNone: () =>
      Cause.isInterruptedOnly(cause)
        ? Effect.succeed(shuttingDown)
        : Effect.as(Effect.logError(`WorkerService.${method} handler crashed`, cause), {
            code: grpc.status.INTERNAL,
            details: "internal error",
            metadata: new grpc.Metadata(),
          }),
  })

/**
 * Serves WorkerService with `handlers`, which run in the calling fiber's runtime (its services,
 * logger, tracer). Returns the bound address (the real port when `port` is 0). Closing the scope
 * stops accepting calls, ends every open PollForTask stream with UNAVAILABLE, lets unary calls
 * finish within `shutdownGrace`, then forces the server down.
 */
export const serveWorkerService = <R>(
  handlers: WorkerServiceHandlers<R>,
  options: WorkerGrpcServerOptions = {},
): Effect.Effect<BoundServer, GrpcServerError, Scope | R> =>
  Effect.gen(function* () {
    const host = options.host ?? "0.0.0.0"
    const address = `${host}:${options.port ?? 50051}`
    const grace = Duration.decode(options.shutdownGrace ?? Duration.seconds(10))
    const runUnary = yield* FiberSet.makeRuntime<R, void, never>()
    const streams = yield* FiberSet.make<void, never>()
    const runStream = yield* FiberSet.runtime(streams)<R>()

    const unary =
      <Req, Res>(method: string, handler: UnaryHandler<Req, Res, R>) =>
      (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
        const context = makeCallContext(method, call.metadata, call.getPeer())
        const answer = (status: grpc.StatusObject | null, response?: Res) =>
          Effect.sync(() => {
            if (!call.cancelled) callback(status, response)
          })
        const fiber = runUnary(
          Effect.suspend(() => handler(call.request, context)).pipe(
            Effect.matchCauseEffect({
              onSuccess: (response) => answer(null, response),
              onFailure: (cause) => Effect.flatMap(failureStatus(method, cause), (status) => answer(status)),
            }),
            Effect.onInterrupt(() => answer(shuttingDown)),
            Effect.withSpan(`WorkerService.${method}`, { attributes: { peer: context.peer } }),
          ),
        )
        call.on("cancelled", () => fiber.unsafeInterruptAsFork(FiberId.none))
      }

    const pollForTask = (call: grpc.ServerDuplexStream<WorkerMessage, ServerMessage>): void => {
      const context = makeCallContext("PollForTask", call.metadata, call.getPeer())
      const finish = (status: grpc.StatusObject | null) =>
        Effect.sync(() => {
          if (call.cancelled || call.writableEnded) return
          // grpc-js turns an 'error' on a server stream into the call's final status.
          if (status === null) call.end()
          else call.emit("error", status)
        })
      const incoming = fromObjectSource<WorkerMessage, never>(call, Effect.void)
      const fiber = runStream(
        Stream.suspend(() => handlers.pollForTask(incoming, context)).pipe(
          Stream.runForEach((message) => writeObject(call, message, ["cancelled"])),
          Effect.matchCauseEffect({
            onSuccess: () => finish(null),
            onFailure: (cause) => Effect.flatMap(failureStatus("PollForTask", cause), finish),
          }),
          Effect.onInterrupt(() => finish(shuttingDown)),
          Effect.withSpan("WorkerService.PollForTask", { attributes: { peer: context.peer } }),
        ),
      )
      call.on("cancelled", () => fiber.unsafeInterruptAsFork(FiberId.none))
    }

    const implementation: WorkerServiceServer = {
      registerWorker: unary("RegisterWorker", handlers.registerWorker),
      pollForTask,
      reportTaskStatus: unary("ReportTaskStatus", handlers.reportTaskStatus),
      sendHeartbeat: unary("SendHeartbeat", handlers.sendHeartbeat),
      requestDataStaging: unary("RequestDataStaging", handlers.requestDataStaging),
    }

    const server = yield* Effect.acquireRelease(
      Effect.sync(() => new grpc.Server(options.channelOptions)),
      (server) =>
        Effect.gen(function* () {
          const drained = yield* Deferred.make<void>()
          server.tryShutdown(() => Deferred.unsafeDone(drained, Exit.void))
          yield* FiberSet.clear(streams)
          const finished = yield* Effect.timeoutOption(Deferred.await(drained), grace)
          if (Option.isNone(finished)) {
            yield* Effect.logWarning("gRPC server: calls still open after the shutdown grace, forcing")
            server.forceShutdown()
          }
        }),
    )
    server.addService(WorkerServiceService, implementation)
    const port = yield* Effect.async<number, GrpcServerError>((resume) => {
      server.bindAsync(
        address,
        options.credentials ?? grpc.ServerCredentials.createInsecure(),
        (error, port) =>
          resume(
            error === null
              ? Effect.succeed(port)
              : Effect.fail(new GrpcServerError({ address, reason: error.message })),
          ),
      )
    })
    yield* Effect.logDebug("gRPC WorkerService listening").pipe(Effect.annotateLogs({ host, port }))
    return { host, port }
  })

/** WorkerService served for the lifetime of the layer. */
export const workerGrpcServerLayer = <R>(
  handlers: WorkerServiceHandlers<R>,
  options?: WorkerGrpcServerOptions,
): Layer.Layer<WorkerGrpcServer, GrpcServerError, R> =>
  Layer.scoped(WorkerGrpcServer, serveWorkerService(handlers, options))
