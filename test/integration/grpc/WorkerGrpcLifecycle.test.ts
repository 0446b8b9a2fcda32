/** WorkerService over loopback: failures, deadlines, cancellation and shutdown, as each end sees them. */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, FiberRef, HashSet, Logger, Queue, Scope, Stream } from "effect"
import { GrpcCallError, GrpcStatusError } from "../../../src/api/grpc/GrpcErrors.js"
import { toGrpcStatusError } from "../../../src/api/grpc/GrpcStatus.js"
import {
  HeartbeatRequest,
  TaskStatusUpdateRequest,
  WorkerDataStagingRequest,
  WorkerRegistrationRequest,
} from "../../../src/api/grpc/generated/worker.js"
import { IllegalTransition } from "../../../src/domain/Errors.js"
import { clientFor, drainInto, handlersWith, serveLoopback, server, worker } from "./harness.js"

describe("WorkerService failures and lifecycle over loopback", () => {
  it.scoped("handler failures become the expected gRPC statuses; defects are logged, not leaked", () =>
    Effect.gen(function* () {
      const logged: Array<string> = []
      const capture = Logger.make(({ message, cause }) => {
        logged.push(`${String(message)} | ${Cause.pretty(cause)}`)
      })
      const bound = yield* serveLoopback(
        handlersWith({
          registerWorker: (request) =>
            Effect.fail(
              new GrpcStatusError({ status: "NOT_FOUND", message: `worker ${request.workerId} not found` }),
            ),
          reportTaskStatus: (request) =>
            Effect.fail(
              toGrpcStatusError(
                new IllegalTransition({
                  entity: "task",
                  id: request.taskId,
                  from: "COMPLETED",
                  to: "RUNNING",
                }),
              ),
            ),
          sendHeartbeat: () => Effect.die(new Error("secret connection string in a defect")),
          pollForTask: () =>
            Stream.make(server({ $case: "workerShutdown", value: { reason: "bye" } })).pipe(
              Stream.concat(
                Stream.fail(new GrpcStatusError({ status: "PERMISSION_DENIED", message: "bad token" })),
              ),
            ),
        }),
      ).pipe(Effect.locallyWith(FiberRef.currentLoggers, HashSet.add(capture)))
      const client = yield* clientFor(bound.port)

      expect(
        yield* Effect.flip(client.registerWorker(WorkerRegistrationRequest.fromPartial({ workerId: "w-9" }))),
      ).toEqual(
        new GrpcCallError({ method: "RegisterWorker", status: "NOT_FOUND", details: "worker w-9 not found" }),
      )
      expect(
        yield* Effect.flip(client.reportTaskStatus(TaskStatusUpdateRequest.fromPartial({ taskId: "t-1" }))),
      ).toEqual(
        new GrpcCallError({
          method: "ReportTaskStatus",
          status: "FAILED_PRECONDITION",
          details: "task t-1 cannot move from COMPLETED to RUNNING",
        }),
      )
      // A defect is logged on the server; the client learns only that it was internal.
      expect(yield* Effect.flip(client.sendHeartbeat(HeartbeatRequest.create()))).toEqual(
        new GrpcCallError({ method: "SendHeartbeat", status: "INTERNAL", details: "internal error" }),
      )
      expect(logged).toHaveLength(1)
      expect(logged[0]).toContain("WorkerService.SendHeartbeat handler crashed")
      expect(logged[0]).toContain("secret connection string in a defect")
      expect(yield* Effect.flip(client.requestDataStaging(WorkerDataStagingRequest.create()))).toEqual(
        new GrpcCallError({
          method: "RequestDataStaging",
          status: "UNIMPLEMENTED",
          details: "RequestDataStaging is not used by this test",
        }),
      )

      const session = yield* client.pollForTask()
      const { inbox, ended } = yield* drainInto(session)
      expect((yield* Queue.take(inbox)).message?.$case).toBe("workerShutdown")
      expect(yield* Effect.flip(Deferred.await(ended))).toEqual(
        new GrpcCallError({ method: "PollForTask", status: "PERMISSION_DENIED", details: "bad token" }),
      )
      // Sending on an ended call fails with the status it ended with.
      expect(
        yield* Effect.flip(session.send(worker({ $case: "heartbeat", value: { workerId: "w-1" } }))),
      ).toEqual(
        new GrpcCallError({ method: "PollForTask", status: "PERMISSION_DENIED", details: "bad token" }),
      )
    }),
  )

  it.scoped("a deadline cancels the call on both ends: the client fails, the handler is interrupted", () =>
    Effect.gen(function* () {
      const interrupted = yield* Deferred.make<void>()
      const bound = yield* serveLoopback(
        handlersWith({
          requestDataStaging: () =>
            Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))),
        }),
      )
      const client = yield* clientFor(bound.port)
      const error = yield* Effect.flip(
        client.requestDataStaging(WorkerDataStagingRequest.create(), { deadline: "100 millis" }),
      )
      expect(error.status).toBe("DEADLINE_EXCEEDED")
      yield* Deferred.await(interrupted)
    }),
  )

  it.scoped("closing the client's session scope cancels the call and interrupts the server's handler", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      const bound = yield* serveLoopback(
        handlersWith({
          pollForTask: (incoming) =>
            incoming.pipe(
              Stream.take(1),
              Stream.mapEffect(() =>
                Deferred.succeed(started, undefined).pipe(
                  Effect.zipRight(Effect.never),
                  Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined)),
                ),
              ),
              Stream.drain,
            ),
        }),
      )
      const client = yield* clientFor(bound.port)
      const sessionScope = yield* Scope.make()
      const session = yield* client.pollForTask().pipe(Scope.extend(sessionScope))
      yield* session.send(worker({ $case: "heartbeat", value: { workerId: "w-1" } }))
      yield* Deferred.await(started)
      yield* Scope.close(sessionScope, Exit.void)
      yield* Deferred.await(interrupted)
    }),
  )

  it.scoped(
    "closing the server's scope ends open streams with UNAVAILABLE; later calls fail UNAVAILABLE",
    () =>
      Effect.gen(function* () {
        const serverScope = yield* Scope.make()
        const bound = yield* serveLoopback(
          handlersWith({
            pollForTask: () =>
              Stream.make(server({ $case: "configUpdate", value: { workerId: "w-1" } })).pipe(
                Stream.concat(Stream.never),
              ),
          }),
        ).pipe(Scope.extend(serverScope))
        const client = yield* clientFor(bound.port)
        const session = yield* client.pollForTask()
        const { inbox, ended } = yield* drainInto(session)
        expect((yield* Queue.take(inbox)).message?.$case).toBe("configUpdate")

        yield* Scope.close(serverScope, Exit.void)
        expect(yield* Effect.flip(Deferred.await(ended))).toEqual(
          new GrpcCallError({
            method: "PollForTask",
            status: "UNAVAILABLE",
            details: "server shutting down",
          }),
        )
        const error = yield* Effect.flip(client.registerWorker(WorkerRegistrationRequest.create()))
        expect(error.status).toBe("UNAVAILABLE")
      }),
  )
})
