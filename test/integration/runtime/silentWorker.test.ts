/**
 * A worker that goes silent without closing its stream (a hung process, a partition without FIN):
 * nothing tells the scheduler, so only the lease can. With a 1 s heartbeat and a 3 s lease (three
 * missed heartbeats) the reaper requeues the task, a real worker completes it as attempt 2, and the
 * silent worker's late report on attempt 1 is rejected on the stream and over the unary RPC alike.
 */
import { assert, expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { TaskId } from "../../../src/domain/Ids.js"
import { awaitExperiment, startReplica, startWorkers, submitYaml, taskDetail, tempDir } from "./harness.js"
import { openSession, provisionRawWorker, statusUpdate } from "./RawWorker.js"
import { runtimeDatabase } from "./RuntimeDatabase.js"

const LEASE_MS = 3_000

const spec = `
name: silent-worker
tasks:
  work:
    command: echo "attempt $AIRAVATA_ATTEMPT"
    retries: 2
    backoff: { base: 100ms, jitter: 0 }
`

layer(runtimeDatabase({ leaseDuration: LEASE_MS }), { excludeTestServices: true, timeout: "120 seconds" })(
  "worker silent with its stream open",
  (it) => {
    it.scoped(
      "its task is requeued when the lease expires, completes elsewhere as attempt 2, and the late report is refused",
      () =>
        Effect.gen(function* () {
          const work = yield* tempDir("silent-work")
          const server = yield* startReplica({ heartbeatInterval: "1 second" })

          // The silent worker connects first, so the only task is leased to it.
          const silent = yield* provisionRawWorker(server.port, "silent-1")
          const stream = yield* openSession(silent)
          yield* stream.credit(1)
          const submitted = yield* submitYaml(spec)
          const assignment = yield* stream.nextAssignment
          expect(assignment.attempt).toBe(1)
          const taskId = TaskId.make(assignment.taskId)
          expect((yield* taskDetail(taskId)).task.leaseOwner).toBe(silent.workerId)

          // From here on it sends nothing at all, and keeps the stream open.
          const [healthy] = yield* startWorkers(1, { prefix: "healthy", port: server.port, workingDir: work })
          assert(healthy !== undefined)
          yield* awaitExperiment(submitted.experiment.id, "COMPLETED")

          const done = yield* taskDetail(taskId)
          expect(done.task.status).toBe("COMPLETED")
          expect(done.task.attempt).toBe(2)
          const [first, second] = done.attempts
          assert(first !== undefined && second !== undefined)
          expect(done.attempts).toHaveLength(2)
          expect([first.attempt, first.workerId, first.status]).toEqual([1, silent.workerId, "QUEUED"])
          expect(first.error).toMatch(/lease expired/)
          // Held for the whole lease: it was the lease running out, not anything the worker did.
          assert(first.endedAt !== undefined)
          expect(first.endedAt.epochMillis - first.startedAt.epochMillis).toBeGreaterThanOrEqual(
            LEASE_MS - 100,
          )
          expect([second.attempt, second.workerId, second.status]).toEqual([2, healthy.workerId, "COMPLETED"])

          // The silent worker wakes up and reports attempt 1 as done: the session refuses it and
          // tells the worker to drop the attempt.
          const late = statusUpdate({ taskId, workerId: silent.workerId, attempt: 1, status: "COMPLETED" })
          yield* stream.report(late)
          const cancellation = yield* stream.nextCancellation
          expect(cancellation.taskId).toBe(taskId)
          expect(cancellation.attempt).toBe(1)
          expect(cancellation.reason).toMatch(/attempt 1 rejected, current attempt is 2/)

          // The same report over the original unary RPC: STALE_ATTEMPT as FAILED_PRECONDITION.
          const unary = yield* Effect.either(silent.client.reportTaskStatus(late))
          assert(Either.isLeft(unary))
          expect(unary.left.status).toBe("FAILED_PRECONDITION")
          expect(unary.left.details).toMatch(/attempt 1 rejected, current attempt is 2/)

          const after = yield* taskDetail(taskId)
          expect(after.task.status).toBe("COMPLETED")
          expect(after.task.attempt).toBe(2)
          expect(after.attempts.map((a) => [a.attempt, a.workerId, a.status])).toEqual([
            [1, silent.workerId, "QUEUED"],
            [2, healthy.workerId, "COMPLETED"],
          ])
        }),
      120_000,
    )
  },
)
