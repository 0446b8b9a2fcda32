/**
 * The scheduler side of WorkerService: authenticates workers, runs one WorkerSession per
 * PollForTask stream, and applies the unary RPCs of the original protocol through the Store.
 */
import { randomUUID } from "node:crypto"
import { type Duration, Effect, Either, Option, type Redacted, Schema, Stream } from "effect"
import type { Dispatcher } from "../../actors/Dispatcher.js"
import { runWorkerSession, type WorkerSessionOptions } from "../../actors/WorkerSession.js"
import { type ComputeResourceId, type TaskId, WorkerId } from "../../domain/Ids.js"
import { WorkerCapabilities } from "../../domain/Requirements.js"
import { Store } from "../../ports/Store.js"
import { WorkerRegistration } from "../../ports/StoreModel.js"
import { hashWorkerToken, sameToken } from "../../programs/workerTokens.js"
import { GrpcStatusError } from "../grpc/GrpcErrors.js"
import { toGrpcStatusError } from "../grpc/GrpcStatus.js"
import type { CallContext, WorkerProto, WorkerServiceHandlers } from "../grpc/index.js"
import { durationToProto, timestampFromMillis } from "../grpc/ProtoTime.js"
import { toServerMessage } from "./toServerMessage.js"
import { toReport, toSessionInputs } from "./toSessionInput.js"

export interface WorkerEndpointOptions {
  /** Interval the scheduler asks workers to heartbeat at. */
  readonly heartbeatInterval: Duration.Duration
  /** Lets an unknown worker presenting this token register itself (workers started by hand or by a batch system). */
  readonly registrationToken?: Redacted.Redacted<string>
  /** Compute resource of self-registered workers that name none. */
  readonly defaultComputeResource: ComputeResourceId
  readonly session?: WorkerSessionOptions
}

const unauthenticated = (message: string) => new GrpcStatusError({ status: "UNAUTHENTICATED", message })
const invalid = (message: string) => new GrpcStatusError({ status: "INVALID_ARGUMENT", message })
const unavailable = (e: { readonly message: string }) =>
  new GrpcStatusError({ status: "UNAVAILABLE", message: e.message })
const decodeWorkerId = (raw: string) =>
  Schema.decodeUnknown(WorkerId)(raw).pipe(Effect.mapError(() => invalid(`invalid worker id "${raw}"`)))

export const makeWorkerServiceHandlers = (
  options: WorkerEndpointOptions,
): Effect.Effect<WorkerServiceHandlers<Store | Dispatcher>, never, Store> =>
  Effect.gen(function* () {
    const store = yield* Store

    /** The worker, if `token` is its token. */
    const authenticate = (workerId: WorkerId, token: string | undefined) =>
      token === undefined || token === ""
        ? Effect.fail(unauthenticated("no worker token (auth_token or authorization: Bearer)"))
        : store.authenticateWorker(workerId, hashWorkerToken(token)).pipe(
            Effect.catchTags({
              WorkerUnauthenticated: (e) => Effect.fail(unauthenticated(e.message)),
              ServiceUnavailable: (e) => Effect.fail(unavailable(e)),
            }),
          )

    const registerWorker = (request: WorkerProto.WorkerRegistrationRequest, context: CallContext) =>
      Effect.gen(function* () {
        const workerId = yield* decodeWorkerId(request.workerId)
        const token =
          request.authToken !== "" ? request.authToken : Option.getOrUndefined(context.bearerToken)
        if (token === undefined)
          return yield* unauthenticated("no worker token (auth_token or authorization: Bearer)")
        const known = yield* store.getWorker(workerId).pipe(
          Effect.map(Option.some),
          Effect.catchTag("EntityNotFound", () => Effect.succeedNone),
          Effect.mapError(unavailable),
        )
        if (Option.isSome(known)) yield* authenticate(workerId, token)
        else if (options.registrationToken === undefined || !sameToken(token, options.registrationToken)) {
          return yield* unauthenticated(`unknown worker ${workerId} and no valid registration token`)
        }
        const caps = request.capabilities
        const registration = yield* Schema.decodeUnknown(WorkerRegistration)({
          id: workerId,
          computeResourceId:
            Option.match(known, { onNone: () => undefined, onSome: (w) => w.computeResourceId }) ??
            (request.computeResourceId !== "" ? request.computeResourceId : options.defaultComputeResource),
          capabilities: WorkerCapabilities.make({
            cpuCores: Math.max(1, caps?.maxCpuCores ?? 1),
            memoryMB: Math.max(1, caps?.maxMemoryMb ?? 1),
            diskGB: Math.max(0, caps?.maxDiskGb ?? 0),
            gpus: Math.max(0, caps?.maxGpus ?? 0),
          }),
          slots: Math.max(1, request.slots),
          tokenHash: hashWorkerToken(token),
          metadata: request.metadata,
        }).pipe(Effect.mapError((e) => invalid(e.message)))
        yield* store.registerWorker(registration).pipe(Effect.mapError((e) => toGrpcStatusError(e)))
        return {
          success: true,
          message: "registered",
          config: {
            workerId,
            heartbeatInterval: durationToProto(options.heartbeatInterval),
            workingDirectory: "",
            environment: {},
            metadata: { registered_at: new Date().toISOString() },
          },
        } satisfies WorkerProto.WorkerRegistrationResponse
      }).pipe(Effect.withSpan("WorkerService.registerWorker"))

    /** Upstream outputs for assignments: the attempt that completed the upstream task and its files. */
    const upstreamOf = (id: TaskId) =>
      store.getTask(id).pipe(
        Effect.map(({ task }) => ({ key: task.key, attempt: task.attempt, outputs: task.outputs })),
        Effect.mapError(unavailable),
      )

    const pollForTask = (incoming: Stream.Stream<WorkerProto.WorkerMessage>, context: CallContext) =>
      Stream.unwrap(
        Effect.gen(function* () {
          const workerId = yield* decodeWorkerId(context.metadata["x-airavata-worker-id"] ?? "")
          yield* authenticate(workerId, Option.getOrUndefined(context.bearerToken))
          const inputs = incoming.pipe(
            Stream.mapEffect((message) => toSessionInputs(workerId, message)),
            Stream.flattenIterables,
          )
          return runWorkerSession(workerId, randomUUID(), inputs, options.session).pipe(
            Stream.mapError(unavailable),
            Stream.mapEffect((output) => toServerMessage(output, upstreamOf)),
          )
        }),
      )

    const reportTaskStatus = (request: WorkerProto.TaskStatusUpdateRequest, context: CallContext) =>
      Effect.gen(function* () {
        const workerId = yield* decodeWorkerId(request.workerId)
        yield* authenticate(workerId, Option.getOrUndefined(context.bearerToken))
        const report = toReport(workerId, request)
        if (Either.isLeft(report)) {
          yield* Effect.logWarning(report.left)
          return { success: false, message: report.left }
        }
        const outcome = yield* store.report(report.right).pipe(Effect.mapError((e) => toGrpcStatusError(e)))
        return { success: true, message: `task ${outcome.taskId} is ${outcome.status}` }
      })

    const sendHeartbeat = (request: WorkerProto.HeartbeatRequest, context: CallContext) =>
      Effect.gen(function* () {
        const workerId = yield* decodeWorkerId(request.workerId)
        yield* authenticate(workerId, Option.getOrUndefined(context.bearerToken))
        yield* store.heartbeat(workerId).pipe(Effect.mapError((e) => toGrpcStatusError(e)))
        return { success: true, message: "ok", serverTime: timestampFromMillis(Date.now()), metadata: {} }
      })

    return {
      registerWorker,
      pollForTask,
      reportTaskStatus,
      sendHeartbeat,
      requestDataStaging: () =>
        Effect.fail(
          new GrpcStatusError({
            status: "UNIMPLEMENTED",
            message: "RequestDataStaging is not offered by this scheduler yet: inputs are bound by path",
          }),
        ),
    }
  })
