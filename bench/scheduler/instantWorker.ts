/**
 * The fastest possible worker, for measuring the scheduler alone: it registers through the real
 * gRPC client, offers `BENCH_CREDITS` credits, and answers every assignment at once with a
 * COMPLETED status and a credit back — no task runs. After `BENCH_EXPECTED` completions it prints
 * one JSON line `{ first, last, count, cpuMicros }` (epoch ms of the first assignment and of the last
 * answer, and this process's CPU in between) and stays connected until it is stopped.
 */
import { Effect, Stream } from "effect"
import {
  type TaskAssignment,
  TaskRequest,
  type TaskStatusUpdateRequest,
} from "../../src/api/grpc/generated/worker.js"
import { WorkerProto } from "../../src/api/grpc/index.js"
import { taskStatusToProto } from "../../src/api/grpc/StatusMapping.js"
import { makeWorkerGrpcClient } from "../../src/api/grpc/WorkerGrpcClient.js"
import { runScript } from "../runScript.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`${name} is not set`)
  return value
}

const address = env("BENCH_ADDRESS")
const workerId = env("BENCH_WORKER_ID")
const token = env("BENCH_TOKEN")
const credits = Number(env("BENCH_CREDITS"))
const expected = Number(env("BENCH_EXPECTED"))
const completed = taskStatusToProto("COMPLETED")

const program = Effect.gen(function* () {
  const client = yield* makeWorkerGrpcClient({
    address,
    metadata: { authorization: `Bearer ${token}`, "x-airavata-worker-id": workerId },
  })
  yield* client.registerWorker(
    WorkerProto.WorkerRegistrationRequest.fromPartial({
      workerId,
      authToken: token,
      slots: credits,
      // Registration sets what the worker can take: enough for the benchmark's one-core tasks.
      capabilities: { maxCpuCores: 64, maxMemoryMb: 1 << 20, maxDiskGb: 1 << 10, maxGpus: 0 },
    }),
  )
  const session = yield* client.pollForTask()
  yield* session.send({
    message: { $case: "taskRequest", value: TaskRequest.fromPartial({ workerId, credits }) },
  })
  let count = 0
  let first = 0
  let cpu = process.cpuUsage()
  yield* session.messages.pipe(
    Stream.mapConcat((message): ReadonlyArray<ReadonlyArray<TaskAssignment>> => {
      const m = message.message
      if (m?.$case === "taskAssignment") return [[m.value]]
      if (m?.$case === "taskAssignmentBatch") return [m.value.assignments]
      return []
    }),
    Stream.mapEffect((assignments) => {
      if (count === 0) {
        first = Date.now()
        cpu = process.cpuUsage()
      }
      count += assignments.length
      const done = count >= expected && count - assignments.length < expected
      const updates: Array<TaskStatusUpdateRequest> = assignments.map((a) =>
        WorkerProto.TaskStatusUpdateRequest.fromPartial({
          taskId: a.taskId,
          workerId,
          attempt: a.attempt,
          status: completed,
          exitCode: 0,
        }),
      )
      return session.send({ message: { $case: "taskStatusBatch", value: { updates } } }).pipe(
        Effect.zipRight(
          session.send({
            message: {
              $case: "taskRequest",
              value: TaskRequest.fromPartial({ workerId, credits: assignments.length }),
            },
          }),
        ),
        // The last reports may still be in flight: say so, but stay connected until stopped (a
        // closed stream would hand those tasks back).
        Effect.tap(() => {
          if (!done) return
          const used = process.cpuUsage(cpu)
          process.stdout.write(
            `${JSON.stringify({ first, last: Date.now(), count, cpuMicros: used.user + used.system })}\n`,
          )
        }),
      )
    }),
    Stream.runDrain,
  )
})

runScript(Effect.scoped(program))
