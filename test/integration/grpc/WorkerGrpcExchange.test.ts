/** WorkerService over loopback with real grpc-js on both ends: registration and the PollForTask session. */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Option, Queue, Schema, Stream } from "effect"
import {
  AssignedTask,
  decodeTaskAssignment,
  encodeTaskAssignment,
} from "../../../src/api/grpc/AssignedTask.js"
import { GrpcCallError } from "../../../src/api/grpc/GrpcErrors.js"
import {
  TaskAssignment,
  TaskOutput,
  TaskRequest,
  type TaskStatusUpdateRequest,
  WorkerRegistrationRequest,
  WorkerRegistrationResponse,
} from "../../../src/api/grpc/generated/worker.js"
import {
  decodeTaskStatusUpdate,
  encodeTaskStatusUpdate,
  TaskReport,
} from "../../../src/api/grpc/TaskReport.js"
import { clientFor, drainInto, handlersWith, serveLoopback, server, worker } from "./harness.js"

const assigned = (taskId: string, attempt: number) =>
  Schema.decodeUnknownSync(AssignedTask)({
    taskId,
    experimentId: "exp-1",
    key: `${taskId}[0]`,
    attempt,
    script: "echo $x > out.txt",
    inputs: { x: "1" },
    outputs: { result: "out.txt" },
    environment: { OMP_NUM_THREADS: "2" },
    timeoutSeconds: 60,
  })

const report = (taskId: string, attempt: number, status: "COMPLETED" | "FAILED", exitCode: number) =>
  Schema.decodeUnknownSync(TaskReport)({
    taskId,
    workerId: "w-1",
    attempt,
    status,
    errors: status === "FAILED" ? ["exit 2"] : [],
    exitCode,
    outputs: status === "COMPLETED" ? { result: { path: "out.txt", size: 2, checksum: "a".repeat(64) } } : {},
    metadata: {},
  })

describe("WorkerService exchanges over loopback", () => {
  it.scoped("RegisterWorker round-trips the request, the caller's headers and the response", () =>
    Effect.gen(function* () {
      const seen = yield* Deferred.make<{
        request: WorkerRegistrationRequest
        token: Option.Option<string>
      }>()
      const response = WorkerRegistrationResponse.fromPartial({
        success: true,
        message: "registered",
        config: {
          workerId: "w-1",
          heartbeatInterval: { seconds: 30, nanos: 0 },
          leaseDuration: { seconds: 120, nanos: 0 },
          environment: { WORKER_ID: "w-1" },
        },
      })
      const bound = yield* serveLoopback(
        handlersWith({
          registerWorker: (request, context) =>
            Deferred.succeed(seen, { request, token: context.bearerToken }).pipe(Effect.as(response)),
        }),
      )
      const client = yield* clientFor(bound.port, { authorization: "Bearer secret-token" })
      const request = WorkerRegistrationRequest.fromPartial({
        workerId: "w-1",
        experimentId: "exp-1",
        computeResourceId: "local",
        capabilities: { maxCpuCores: 8, maxMemoryMb: 4096, supportedRuntimes: ["bash"] },
        metadata: { hostname: "node-1" },
        authToken: "secret-token",
        slots: 4,
      })

      expect(bound.port).toBeGreaterThan(0)
      expect(yield* client.registerWorker(request)).toEqual(response)
      expect(yield* Deferred.await(seen)).toEqual({ request, token: Option.some("secret-token") })
    }),
  )

  it.scoped(
    "PollForTask: TaskRequest → TaskAssignment(s) → TaskStatusUpdate(s) → acks, then a clean end",
    () =>
      Effect.gen(function* () {
        const reports = yield* Queue.unbounded<TaskReport>()
        const ack = (updates: ReadonlyArray<TaskStatusUpdateRequest>) =>
          Effect.forEach(updates, (update) =>
            decodeTaskStatusUpdate(update).pipe(
              Effect.tap((decoded) => Queue.offer(reports, decoded)),
              Effect.map((decoded) => ({
                taskId: decoded.taskId,
                attempt: decoded.attempt ?? 0,
                accepted: true,
              })),
              Effect.orDie,
            ),
          ).pipe(
            Effect.map((entries) => [server({ $case: "taskStatusAck", value: { entries: [...entries] } })]),
          )
        const bound = yield* serveLoopback(
          handlersWith({
            pollForTask: (incoming) =>
              incoming.pipe(
                Stream.mapEffect((message) => {
                  switch (message.message?.$case) {
                    case "taskRequest": {
                      const credits = Math.max(1, message.message.value.credits)
                      const tasks = Array.from({ length: credits }, (_, i) =>
                        encodeTaskAssignment(assigned(`task-${credits}-${i}`, i + 1)),
                      )
                      return Effect.succeed(
                        credits === 1
                          ? [server({ $case: "taskAssignment", value: tasks[0] ?? TaskAssignment.create() })]
                          : [server({ $case: "taskAssignmentBatch", value: { assignments: tasks } })],
                      )
                    }
                    case "taskStatus":
                      return ack([message.message.value])
                    case "taskStatusBatch":
                      return ack(message.message.value.updates)
                    default:
                      return Effect.succeed([])
                  }
                }),
                Stream.flattenIterables,
              ),
          }),
        )
        const client = yield* clientFor(bound.port)
        const session = yield* client.pollForTask()
        const { inbox, ended } = yield* drainInto(session)

        // An original worker: no credits → exactly one assignment.
        yield* session.send(
          worker({ $case: "taskRequest", value: TaskRequest.fromPartial({ workerId: "w-1" }) }),
        )
        const single = yield* Queue.take(inbox)
        expect(single.message?.$case).toBe("taskAssignment")
        if (single.message?.$case !== "taskAssignment") return
        expect(yield* decodeTaskAssignment(single.message.value)).toEqual(assigned("task-1-0", 1))

        yield* session.send(
          worker({
            $case: "taskStatus",
            value: encodeTaskStatusUpdate(report("task-1-0", 1, "COMPLETED", 0)),
          }),
        )
        expect(yield* Queue.take(inbox)).toEqual(
          server({
            $case: "taskStatusAck",
            value: { entries: [{ taskId: "task-1-0", attempt: 1, accepted: true }] },
          }),
        )
        expect(yield* Queue.take(reports)).toEqual(report("task-1-0", 1, "COMPLETED", 0))

        // Credits: one request, a batch of assignments, a batch of reports.
        yield* session.send(worker({ $case: "taskRequest", value: TaskRequest.fromPartial({ credits: 2 }) }))
        const batch = yield* Queue.take(inbox)
        if (batch.message?.$case !== "taskAssignmentBatch") return expect.fail(`got ${batch.message?.$case}`)
        const tasks = yield* Effect.forEach(batch.message.value.assignments, decodeTaskAssignment)
        expect(tasks).toEqual([assigned("task-2-0", 1), assigned("task-2-1", 2)])

        const updates = [report("task-2-0", 1, "COMPLETED", 0), report("task-2-1", 2, "FAILED", 2)]
        yield* session.send(
          worker({ $case: "taskStatusBatch", value: { updates: updates.map(encodeTaskStatusUpdate) } }),
        )
        const acks = yield* Queue.take(inbox)
        expect(
          acks.message?.$case === "taskStatusAck" && acks.message.value.entries.map((e) => e.taskId),
        ).toEqual(["task-2-0", "task-2-1"])
        expect([yield* Queue.take(reports), yield* Queue.take(reports)]).toEqual(updates)

        // The worker half-closes; the server's stream ends; the client's stream ends OK.
        yield* session.end
        expect(yield* Deferred.await(ended)).toBeUndefined()
        expect(yield* Effect.flip(session.send(worker({ $case: "heartbeat", value: {} })))).toEqual(
          new GrpcCallError({ method: "PollForTask", status: "CANCELLED", details: "the stream has ended" }),
        )
      }),
  )

  it.scoped("large volumes flow both ways in order through the backpressured writers", () =>
    Effect.gen(function* () {
      const count = 2000
      const payload = "x".repeat(4096)
      const received = yield* Deferred.make<ReadonlyArray<number>>()
      const bound = yield* serveLoopback(
        handlersWith({
          pollForTask: (incoming) =>
            Stream.merge(
              Stream.range(1, count).pipe(
                Stream.map((i) =>
                  server({ $case: "taskAssignment", value: { taskId: `${i}`, executionScript: payload } }),
                ),
              ),
              incoming.pipe(
                Stream.map((m) => (m.message?.$case === "taskOutput" ? Number(m.message.value.seq) : -1)),
                Stream.runCollect,
                Effect.flatMap((seqs) => Deferred.succeed(received, [...seqs])),
                Stream.fromEffect,
                Stream.drain,
              ),
            ),
        }),
      )
      const client = yield* clientFor(bound.port)
      const session = yield* client.pollForTask()
      yield* Effect.forEach(
        Array.from({ length: count }, (_, i) => i),
        (seq) =>
          session.send(
            worker({
              $case: "taskOutput",
              value: TaskOutput.fromPartial({ seq, data: Buffer.from(payload) }),
            }),
          ),
      )
      yield* session.end
      const ids = yield* session.messages.pipe(
        Stream.map((m) => (m.message?.$case === "taskAssignment" ? Number(m.message.value.taskId) : -1)),
        Stream.runCollect,
      )
      expect([...ids]).toEqual(Array.from({ length: count }, (_, i) => i + 1))
      expect(yield* Deferred.await(received)).toEqual(Array.from({ length: count }, (_, i) => i))
    }),
  )
})
