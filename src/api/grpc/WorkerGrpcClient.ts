/**
 * A WorkerService client as a scoped Effect resource: the channel lives as long as the scope,
 * unary RPCs are Effects with a deadline, PollForTask is a scoped session (send + Stream).
 */
import * as grpc from "@grpc/grpc-js"
import { Context, Duration, Effect, Layer, type Scope, type Stream } from "effect"
import { GrpcCallError } from "./GrpcErrors.js"
import { grpcStatusName } from "./GrpcStatus.js"
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
  WorkerServiceClient,
} from "./generated/worker.js"
import { fromObjectSource, writeObject } from "./internal/objectStreams.js"

export interface WorkerGrpcClientOptions {
  /** "host:port" of the scheduler. */
  readonly address: string
  /** Default insecure (plaintext), as the reference scheduler. */
  readonly credentials?: grpc.ChannelCredentials
  /** Headers sent with every call, e.g. { authorization: "Bearer <worker token>" }. */
  readonly metadata?: Readonly<Record<string, string>>
  /** Deadline of unary calls; default 30 s. */
  readonly deadline?: Duration.DurationInput
  readonly channelOptions?: grpc.ChannelOptions
}

/** Per-call overrides. */
export interface CallOptions {
  readonly deadline?: Duration.DurationInput
  readonly metadata?: Readonly<Record<string, string>>
}

/** One open PollForTask call. Closing its scope cancels the call if it is still open. */
export interface PollSession {
  /** Sends a message, waiting while the transport's buffer is full; fails once the call has ended. */
  readonly send: (message: WorkerMessage) => Effect.Effect<void, GrpcCallError>
  /** Half-closes: tells the server the worker sends nothing more. */
  readonly end: Effect.Effect<void>
  /**
   * The server's messages. Ends when the server ends the call OK; fails with GrpcCallError when it
   * ends with another status or the transport fails (UNAVAILABLE). Consume it once.
   */
  readonly messages: Stream.Stream<ServerMessage, GrpcCallError>
}

export interface WorkerGrpcClientService {
  readonly registerWorker: (
    request: WorkerRegistrationRequest,
    options?: CallOptions,
  ) => Effect.Effect<WorkerRegistrationResponse, GrpcCallError>
  readonly reportTaskStatus: (
    request: TaskStatusUpdateRequest,
    options?: CallOptions,
  ) => Effect.Effect<TaskStatusUpdateResponse, GrpcCallError>
  readonly sendHeartbeat: (
    request: HeartbeatRequest,
    options?: CallOptions,
  ) => Effect.Effect<HeartbeatResponse, GrpcCallError>
  readonly requestDataStaging: (
    request: WorkerDataStagingRequest,
    options?: CallOptions,
  ) => Effect.Effect<WorkerDataStagingResponse, GrpcCallError>
  /** Opens the worker's session stream; no deadline (it lives as long as the worker). */
  readonly pollForTask: (
    options?: Omit<CallOptions, "deadline">,
  ) => Effect.Effect<PollSession, never, Scope.Scope>
}

/** The WorkerService client of this process (the worker runtime's connection to the scheduler). */
export class WorkerGrpcClient extends Context.Tag("airavata/api/WorkerGrpcClient")<
  WorkerGrpcClient,
  WorkerGrpcClientService
>() {}

const callError = (method: string, status: { readonly code: number; readonly details: string }) =>
  new GrpcCallError({ method, status: grpcStatusName(status.code), details: status.details })

const toMetadata = (
  ...sources: ReadonlyArray<Readonly<Record<string, string>> | undefined>
): grpc.Metadata => {
  const metadata = new grpc.Metadata()
  for (const source of sources) {
    for (const [key, value] of Object.entries(source ?? {})) metadata.set(key, value)
  }
  return metadata
}

type UnaryInvoker<Req, Res> = (
  client: WorkerServiceClient,
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall

/** Connects (lazily, as grpc-js does) to a scheduler; the channel is closed with the scope. */
export const makeWorkerGrpcClient = (
  options: WorkerGrpcClientOptions,
): Effect.Effect<WorkerGrpcClientService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new WorkerServiceClient(
            options.address,
            options.credentials ?? grpc.credentials.createInsecure(),
            options.channelOptions,
          ),
      ),
      (client) => Effect.sync(() => client.close()),
    )
    const defaultDeadline = Duration.decode(options.deadline ?? Duration.seconds(30))

    const unary =
      <Req, Res>(method: string, invoke: UnaryInvoker<Req, Res>) =>
      (request: Req, callOptions: CallOptions = {}): Effect.Effect<Res, GrpcCallError> =>
        Effect.async<Res, GrpcCallError>((resume) => {
          const timeout = Duration.toMillis(Duration.decode(callOptions.deadline ?? defaultDeadline))
          // grpc-js enforces deadlines on the wire against the wall clock, so this reads it too.
          const deadline = new Date(Date.now() + timeout)
          const metadata = toMetadata(options.metadata, callOptions.metadata)
          const call = invoke(client, request, metadata, { deadline }, (error, response) =>
            resume(error === null ? Effect.succeed(response) : Effect.fail(callError(method, error))),
          )
          return Effect.sync(() => call.cancel())
        }).pipe(Effect.withSpan(`WorkerGrpcClient.${method}`))

    const pollForTask = (callOptions: Omit<CallOptions, "deadline"> = {}) =>
      Effect.gen(function* () {
        let status: grpc.StatusObject | undefined
        const call = yield* Effect.acquireRelease(
          Effect.sync(() => {
            const call = client.pollForTask(toMetadata(options.metadata, callOptions.metadata))
            call.on("status", (received: grpc.StatusObject) => {
              status = received
            })
            // The status event carries the same information; without a listener 'error' would throw.
            call.on("error", () => {})
            return call
          }),
          (call) => Effect.sync(() => (status === undefined ? call.cancel() : undefined)),
        )
        const closed = () =>
          status === undefined || status.code === grpc.status.OK
            ? callError("PollForTask", { code: grpc.status.CANCELLED, details: "the stream has ended" })
            : callError("PollForTask", status)
        const session: PollSession = {
          send: (message) =>
            Effect.suspend(() =>
              status !== undefined || call.writableEnded || call.destroyed
                ? Effect.fail(closed())
                : writeObject(call, message, ["status"]),
            ),
          end: Effect.sync(() => {
            if (!call.writableEnded) call.end()
          }),
          messages: fromObjectSource<ServerMessage, GrpcCallError>(
            call,
            Effect.suspend(() => (status?.code === grpc.status.OK ? Effect.void : Effect.fail(closed()))),
          ),
        }
        return session
      })

    return {
      registerWorker: unary<WorkerRegistrationRequest, WorkerRegistrationResponse>(
        "RegisterWorker",
        (c, ...args) => c.registerWorker(...args),
      ),
      reportTaskStatus: unary<TaskStatusUpdateRequest, TaskStatusUpdateResponse>(
        "ReportTaskStatus",
        (c, ...args) => c.reportTaskStatus(...args),
      ),
      sendHeartbeat: unary<HeartbeatRequest, HeartbeatResponse>("SendHeartbeat", (c, ...args) =>
        c.sendHeartbeat(...args),
      ),
      requestDataStaging: unary<WorkerDataStagingRequest, WorkerDataStagingResponse>(
        "RequestDataStaging",
        (c, ...args) => c.requestDataStaging(...args),
      ),
      pollForTask,
    }
  })

/** A WorkerGrpcClient connected for the lifetime of the layer. */
export const workerGrpcClientLayer = (options: WorkerGrpcClientOptions): Layer.Layer<WorkerGrpcClient> =>
  Layer.scoped(WorkerGrpcClient, makeWorkerGrpcClient(options))
