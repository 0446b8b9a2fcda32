/**
 * A third-party worker: its client is built at run time from proto/*.proto with @grpc/proto-loader
 * (protobufjs, not our generated code) and talks to the Effect server.
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import * as grpc from "@grpc/grpc-js"
import * as protoLoader from "@grpc/proto-loader"
import { Deferred, Effect, Queue, Schema, Stream } from "effect"
import { AssignedTask, encodeTaskAssignment } from "../../../src/api/grpc/AssignedTask.js"
import {
  ServerMessage,
  type WorkerMessage,
  type WorkerRegistrationRequest,
  WorkerRegistrationResponse,
} from "../../../src/api/grpc/generated/worker.js"
import { workerStatusFromProto } from "../../../src/api/grpc/StatusMapping.js"
import { decodeTaskStatusUpdate, type TaskReport } from "../../../src/api/grpc/TaskReport.js"
import { handlersWith, serveLoopback } from "./harness.js"

const protoDir = fileURLToPath(new URL("../../../proto", import.meta.url))
const definition = protoLoader.loadSync("worker.proto", {
  includeDirs: [protoDir],
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
})

const method = (name: string): grpc.MethodDefinition<object, object> => {
  const service = definition["apache.airavata.scheduler.worker.WorkerService"]
  if (service === undefined || "format" in service) throw new Error("worker.proto defines no WorkerService")
  const found = service[name]
  if (found === undefined) throw new Error(`WorkerService has no ${name}`)
  return found
}

const unary = (client: grpc.Client, name: string, request: object) =>
  Effect.async<unknown, grpc.ServiceError>((resume) => {
    const m = method(name)
    client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, (error, response) =>
      resume(error === null ? Effect.succeed(response) : Effect.fail(error)),
    )
  })

const Duration = Schema.Struct({ seconds: Schema.Number, nanos: Schema.Number })
const RegistrationReply = Schema.Struct({
  success: Schema.Literal(true),
  config: Schema.Struct({ workerId: Schema.String, heartbeatInterval: Duration }),
})
const AssignmentBatch = Schema.Struct({
  message: Schema.Literal("taskAssignmentBatch"),
  taskAssignmentBatch: Schema.Struct({
    assignments: Schema.Array(
      Schema.Struct({
        taskId: Schema.String,
        taskKey: Schema.String,
        attempt: Schema.Number,
        executionScript: Schema.String,
        inputs: Schema.Record({ key: Schema.String, value: Schema.String }),
        timeout: Duration,
      }),
    ),
  }),
})
const Ack = Schema.Struct({
  message: Schema.Literal("taskStatusAck"),
  taskStatusAck: Schema.Struct({
    entries: Schema.Array(
      Schema.Struct({ taskId: Schema.String, attempt: Schema.Number, accepted: Schema.Boolean }),
    ),
  }),
})

const assigned = (taskId: string, attempt: number) =>
  Schema.decodeUnknownSync(AssignedTask)({
    taskId,
    experimentId: "exp-1",
    key: `sweep[${attempt}]`,
    attempt,
    script: "echo hi",
    inputs: { n: `${attempt}` },
    outputs: {},
    environment: {},
    timeoutSeconds: 90,
  })

describe("a @grpc/proto-loader client built from proto/ (as a third party would)", () => {
  it.scoped("registers, polls, gets assignments, reports and acks against the Effect server", () =>
    Effect.gen(function* () {
      const registered = yield* Deferred.make<WorkerRegistrationRequest>()
      const seen = yield* Queue.unbounded<WorkerMessage>()
      const reports = yield* Queue.unbounded<TaskReport>()
      const bound = yield* serveLoopback(
        handlersWith({
          registerWorker: (request) =>
            Deferred.succeed(registered, request).pipe(
              Effect.as(
                WorkerRegistrationResponse.fromPartial({
                  success: true,
                  config: { workerId: request.workerId, heartbeatInterval: { seconds: 30, nanos: 0 } },
                }),
              ),
            ),
          pollForTask: (incoming) =>
            incoming.pipe(
              Stream.tap((message) => Queue.offer(seen, message)),
              Stream.mapEffect((message) => {
                switch (message.message?.$case) {
                  case "taskRequest":
                    return Effect.succeed([
                      ServerMessage.fromPartial({
                        message: {
                          $case: "taskAssignmentBatch",
                          value: {
                            assignments: [assigned("t-1", 1), assigned("t-2", 2)].map((t) =>
                              encodeTaskAssignment(t),
                            ),
                          },
                        },
                      }),
                    ])
                  case "taskStatus":
                    return decodeTaskStatusUpdate(message.message.value).pipe(
                      Effect.orDie,
                      Effect.tap((report) => Queue.offer(reports, report)),
                      Effect.map((report) => [
                        ServerMessage.fromPartial({
                          message: {
                            $case: "taskStatusAck",
                            value: {
                              entries: [
                                { taskId: report.taskId, attempt: report.attempt ?? 0, accepted: true },
                              ],
                            },
                          },
                        }),
                      ]),
                    )
                  default:
                    return Effect.succeed([])
                }
              }),
              Stream.flattenIterables,
            ),
        }),
      )
      const client = yield* Effect.acquireRelease(
        Effect.sync(() => new grpc.Client(`127.0.0.1:${bound.port}`, grpc.credentials.createInsecure())),
        (client) => Effect.sync(() => client.close()),
      )

      // Unary: our additions (auth_token, slots) arrive; original fields are unchanged.
      const reply = yield* unary(client, "RegisterWorker", {
        workerId: "w-3p",
        experimentId: "exp-1",
        computeResourceId: "cluster-a",
        capabilities: { maxCpuCores: 16, supportedRuntimes: ["bash"] },
        authToken: "tok-3p",
        slots: 2,
      })
      expect(yield* Schema.decodeUnknown(RegistrationReply)(reply)).toEqual({
        success: true,
        config: { workerId: "w-3p", heartbeatInterval: { seconds: 30, nanos: 0 } },
      })
      const request = yield* Deferred.await(registered)
      expect([request.workerId, request.computeResourceId, request.authToken, request.slots]).toEqual([
        "w-3p",
        "cluster-a",
        "tok-3p",
        2,
      ])
      expect(request.capabilities?.maxCpuCores).toBe(16)

      // Bidi stream, with plain grpc-js events as a third party would use them.
      const poll = method("PollForTask")
      const call = client.makeBidiStreamRequest(poll.path, poll.requestSerialize, poll.responseDeserialize)
      const inbox = yield* Queue.unbounded<object>()
      const status = yield* Deferred.make<grpc.StatusObject>()
      call.on("data", (message: object) => Queue.unsafeOffer(inbox, message))
      call.on("status", (received: grpc.StatusObject) =>
        Deferred.unsafeDone(status, Effect.succeed(received)),
      )
      call.on("error", () => {})

      call.write({ heartbeat: { workerId: "w-3p", status: "WORKER_STATUS_STAGING", currentTaskId: "t-0" } })
      call.write({ taskRequest: { workerId: "w-3p", credits: 2 } })
      const batch = yield* Schema.decodeUnknown(AssignmentBatch)(yield* Queue.take(inbox))
      expect(batch.taskAssignmentBatch.assignments).toEqual([
        {
          taskId: "t-1",
          taskKey: "sweep[1]",
          attempt: 1,
          executionScript: "echo hi",
          inputs: { n: "1" },
          timeout: { seconds: 90, nanos: 0 },
        },
        {
          taskId: "t-2",
          taskKey: "sweep[2]",
          attempt: 2,
          executionScript: "echo hi",
          inputs: { n: "2" },
          timeout: { seconds: 90, nanos: 0 },
        },
      ])

      // proto3 `optional`: an explicit exit code 0 is present on the server's side.
      call.write({
        taskStatus: {
          taskId: "t-2",
          workerId: "w-3p",
          status: "TASK_STATUS_CANCELLED",
          attempt: 2,
          exitCode: 0,
        },
      })
      const ack = yield* Schema.decodeUnknown(Ack)(yield* Queue.take(inbox))
      expect(ack.taskStatusAck.entries).toEqual([{ taskId: "t-2", attempt: 2, accepted: true }])
      const report = yield* Queue.take(reports)
      expect([report.taskId, report.attempt, report.status, report.exitCode]).toEqual([
        "t-2",
        2,
        "CANCELED",
        0,
      ])

      const heartbeat = yield* Queue.take(seen)
      if (heartbeat.message?.$case !== "heartbeat") return expect.fail(`got ${heartbeat.message?.$case}`)
      expect(workerStatusFromProto(heartbeat.message.value.status)).toBe("BUSY")
      expect(heartbeat.message.value.currentTaskId).toBe("t-0")

      call.end()
      expect((yield* Deferred.await(status)).code).toBe(grpc.status.OK)
    }),
  )
})
