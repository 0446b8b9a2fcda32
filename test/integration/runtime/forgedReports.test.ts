/**
 * Forged and stale traffic against a real replica, from raw gRPC clients: worker A (with A's own
 * valid token) reporting on a task leased to worker B, a client with a bad or no token, and reports
 * on an attempt that is no longer current. None of it changes the task; the genuine holder's
 * report still completes it.
 */
import { assert, expect, layer } from "@effect/vitest"
import { Deferred, Effect, Either } from "effect"
import { WorkerRegistrationRequest } from "../../../src/api/grpc/generated/worker.js"
import { TaskId } from "../../../src/domain/Ids.js"
import { awaitExperiment, eventually, startReplica, submitYaml, taskDetail } from "./harness.js"
import { clientAs, openSession, provisionRawWorker, statusUpdate } from "./RawWorker.js"
import { runtimeDatabase } from "./RuntimeDatabase.js"

const spec = `
name: forged
parameters:
  I:
    type: int
tasks:
  job:
    handler: noop
    task_inputs:
      I: "1..2"
    retries: 3
    backoff: { base: 0ms, jitter: 0 }
`

/** What must not change under forged traffic: status, attempt, holder and attempt history. */
const snapshot = (taskId: TaskId) =>
  Effect.map(taskDetail(taskId), ({ task, attempts }) => ({
    status: task.status,
    attempt: task.attempt,
    leaseOwner: task.leaseOwner,
    attempts: attempts.map((a) => [a.attempt, a.workerId, a.status]),
  }))

layer(runtimeDatabase(), { excludeTestServices: true, timeout: "120 seconds" })("forged reports", (it) => {
  it.scoped(
    "reports on another worker's task, with bad tokens or on an old attempt are refused and change nothing",
    () =>
      Effect.gen(function* () {
        const server = yield* startReplica()
        const a = yield* provisionRawWorker(server.port, "worker-a")
        const b = yield* provisionRawWorker(server.port, "worker-b")
        const streamB = yield* openSession(b)
        const streamA = yield* openSession(a)
        const submitted = yield* submitYaml(spec)
        yield* streamB.credit(1)
        const leasedToB = TaskId.make((yield* streamB.nextAssignment).taskId)
        yield* streamA.credit(1)
        const leasedToA = TaskId.make((yield* streamA.nextAssignment).taskId)
        expect(leasedToA).not.toBe(leasedToB)
        const before = yield* snapshot(leasedToB)
        expect(before).toEqual({
          status: "DATA_STAGING",
          attempt: 1,
          leaseOwner: b.workerId,
          attempts: [[1, b.workerId, "DATA_STAGING"]],
        })
        const completeB = (workerId: string, attempt = 1) =>
          statusUpdate({ taskId: leasedToB, workerId, attempt, status: "COMPLETED" })

        // On A's stream: a report claiming to come from B (dropped as forged), then one in A's own
        // name (refused by the store: not A's task, and A is told to drop it).
        yield* streamA.report(completeB(b.workerId))
        yield* streamA.report(completeB(a.workerId))
        const refused = yield* streamA.nextCancellation
        expect(refused.taskId).toBe(leasedToB)
        expect(refused.reason).toMatch(/is not assigned to worker worker-a/)
        // Hand-backs of B's task on A's stream, in B's name (forged) or A's (not A's to give back).
        const handBackB = (workerId: string) =>
          statusUpdate({ taskId: leasedToB, workerId, attempt: 1, status: "QUEUED" })
        yield* streamA.report(handBackB(b.workerId))
        yield* streamA.report(handBackB(a.workerId))
        // A's genuine report on its own task, sent after the forged ones, is applied: every forged
        // message has been handled by the time it shows.
        yield* streamA.report(
          statusUpdate({ taskId: leasedToA, workerId: a.workerId, attempt: 1, status: "RUNNING" }),
        )
        yield* eventually(
          "A's own report to apply",
          taskDetail(leasedToA),
          (d) => d.task.status === "RUNNING",
        )
        expect(yield* snapshot(leasedToB)).toEqual(before)

        // Unary ReportTaskStatus as A (A's valid token) on B's task: PERMISSION_DENIED.
        const asA = yield* Effect.either(a.client.reportTaskStatus(completeB(a.workerId)))
        assert(Either.isLeft(asA))
        expect(asA.left.status).toBe("PERMISSION_DENIED")
        // Naming B while presenting A's token: the token is not B's.
        const posing = yield* Effect.either(a.client.reportTaskStatus(completeB(b.workerId)))
        assert(Either.isLeft(posing))
        expect(posing.left.status).toBe("UNAUTHENTICATED")

        // A client with a bad token, or none, gets nowhere.
        const forger = yield* clientAs(server.port, b.workerId, "not-the-token")
        const badReport = yield* Effect.either(forger.reportTaskStatus(completeB(b.workerId)))
        assert(Either.isLeft(badReport))
        expect(badReport.left.status).toBe("UNAUTHENTICATED")
        const badRegistration = yield* Effect.either(
          forger.registerWorker(
            WorkerRegistrationRequest.fromPartial({
              workerId: b.workerId,
              authToken: "not-the-token",
              slots: 1,
            }),
          ),
        )
        assert(Either.isLeft(badRegistration))
        expect(badRegistration.left.status).toBe("UNAUTHENTICATED")
        const badStream = yield* openSession({ workerId: b.workerId, token: "not-the-token", client: forger })
        const badEnd = yield* Effect.either(Deferred.await(badStream.ended))
        assert(Either.isLeft(badEnd))
        expect(badEnd.left.status).toBe("UNAUTHENTICATED")
        const anonymous = yield* clientAs(server.port, b.workerId, "")
        const noToken = yield* Effect.either(anonymous.reportTaskStatus(completeB(b.workerId)))
        assert(Either.isLeft(noToken))
        expect(noToken.left.status).toBe("UNAUTHENTICATED")
        expect(yield* snapshot(leasedToB)).toEqual(before)

        // B says goodbye: its task is requeued at once and A takes it as attempt 2.
        yield* streamB.end
        yield* Deferred.await(streamB.ended)
        yield* streamA.credit(1)
        const second = yield* streamA.nextAssignment
        expect([second.taskId, second.attempt]).toEqual([leasedToB, 2])

        // Reports on attempt 1 are stale now, from its old holder and from the new one alike.
        const stale = yield* Effect.either(b.client.reportTaskStatus(completeB(b.workerId, 1)))
        assert(Either.isLeft(stale))
        expect(stale.left.status).toBe("FAILED_PRECONDITION")
        expect(stale.left.details).toMatch(/report for attempt 1 rejected, current attempt is 2/)
        const staleFromA = yield* Effect.either(a.client.reportTaskStatus(completeB(a.workerId, 1)))
        assert(Either.isLeft(staleFromA))
        expect(staleFromA.left.status).toBe("FAILED_PRECONDITION")
        const current = yield* snapshot(leasedToB)
        expect(current).toEqual({
          status: "DATA_STAGING",
          attempt: 2,
          leaseOwner: a.workerId,
          attempts: [
            [1, b.workerId, "QUEUED"],
            [2, a.workerId, "DATA_STAGING"],
          ],
        })

        // The genuine holder's report on the current attempt is applied.
        const accepted = yield* a.client.reportTaskStatus(completeB(a.workerId, 2))
        expect(accepted.success).toBe(true)
        yield* a.client.reportTaskStatus(
          statusUpdate({ taskId: leasedToA, workerId: a.workerId, attempt: 1, status: "COMPLETED" }),
        )
        const summary = yield* awaitExperiment(submitted.experiment.id, "COMPLETED")
        expect(summary.completedTasks).toBe(2)
        expect((yield* snapshot(leasedToB)).attempts).toEqual([
          [1, b.workerId, "QUEUED"],
          [2, a.workerId, "COMPLETED"],
        ])
      }),
    120_000,
  )
})
