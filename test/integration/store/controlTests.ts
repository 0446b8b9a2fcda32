/** Experiment control (pause, resume, cancel, retry), batched and fenced reports, worker release and hand-back. */
import { assert, expect, type Vitest } from "@effect/vitest"
import { Effect, Either } from "effect"
import { Attempt, TaskId } from "../../../src/domain/Ids.js"
import { Backoff, RetryPolicy } from "../../../src/domain/RetryPolicy.js"
import { Store } from "../../../src/ports/Store.js"
import { type ClaimedTask, Lease, TaskReport } from "../../../src/ports/StoreModel.js"
import { cleanSlate, finish, submit, sweep, tenant, worker } from "./fixtures.js"

const lease = (claimed: ClaimedTask) => Lease.make({ taskId: claimed.taskId, attempt: claimed.attempt })

export const controlTests = (it: Vitest.MethodsNonLive<Store>) => {
  it.effect("pause stops claims and resume restarts them", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, sweep("paused", 5))
      const id = experiment.experiment.id
      const w = yield* worker(owner)
      const [running] = yield* store.claim(w, 1)
      assert(running !== undefined)
      expect((yield* store.pauseExperiment(id)).experiment.status).toBe("PAUSED")
      expect(yield* store.claim(w, 10)).toEqual([])
      // Work already leased runs on and reports normally.
      expect((yield* store.report(finish(running))).status).toBe("COMPLETED")
      const again = yield* Effect.either(store.pauseExperiment(id))
      assert(Either.isLeft(again))
      expect(again.left._tag).toBe("IllegalTransition")
      expect((yield* store.resumeExperiment(id)).experiment.status).toBe("EXECUTING")
      expect((yield* store.claim(w, 10)).length).toBe(4)
    }),
  )

  it.effect("cancel cancels every unfinished task and returns the live leases", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, sweep("doomed", 5))
      const w = yield* worker(owner)
      const leased = yield* store.claim(w, 2)
      const result = yield* store.cancelExperiment(experiment.experiment.id, "operator said stop")
      expect(result.canceledTasks).toBe(5)
      expect(result.leased.map((l) => [l.taskId, l.attempt, l.workerId]).sort()).toEqual(
        leased.map((c) => [c.taskId, c.attempt, w]).sort(),
      )
      expect(result.experiment.experiment.status).toBe("CANCELED")
      expect(result.experiment.runningTasks).toBe(0)
      const [first] = leased
      assert(first !== undefined)
      const late = yield* Effect.either(store.report(finish(first)))
      assert(Either.isLeft(late))
      expect(late.left._tag).toBe("LeaseLost")
      expect((yield* store.getTask(first.taskId)).task.error).toBe("operator said stop")
    }),
  )

  it.effect("retryFailed requeues failed tasks with a fresh budget and reopens the experiment", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, sweep("retried", 2))
      const id = experiment.experiment.id
      const w = yield* worker(owner)
      const [ok, bad] = yield* store.claim(w, 2)
      assert(ok !== undefined && bad !== undefined)
      yield* store.reportMany([finish(ok), finish(bad, "FAILED")])
      expect((yield* store.getExperiment(id)).experiment.status).toBe("FAILED")
      const retried = yield* store.retryFailed(id)
      expect(retried.requeuedTasks).toBe(1)
      expect(retried.experiment.experiment.status).toBe("EXECUTING")
      expect(retried.experiment.failedTasks).toBe(0)
      const [again] = yield* store.claim(w, 2)
      assert(again !== undefined)
      expect([again.taskId, again.attempt]).toEqual([bad.taskId, 2])
      yield* store.report(finish(again))
      expect((yield* store.getExperiment(id)).experiment.status).toBe("COMPLETED")
    }),
  )

  it.effect("a batch of reports is applied report by report, fenced by attempt and worker", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      yield* submit(owner, sweep("batched", 2))
      const [w, intruder] = [yield* worker(owner), yield* worker(owner)]
      const [one, two] = yield* store.claim(w, 2)
      assert(one !== undefined && two !== undefined)
      const report = (status: TaskReport["status"], over: Partial<TaskReport> = {}) =>
        TaskReport.make({ taskId: one.taskId, attempt: one.attempt, workerId: w, status, ...over })
      const results = yield* store.reportMany([
        report("RUNNING"),
        report("RUNNING"),
        report("ENV_SETUP"),
        report("COMPLETED", { exitCode: 0 }),
        TaskReport.make({ taskId: two.taskId, attempt: two.attempt, workerId: intruder, status: "RUNNING" }),
        TaskReport.make({ taskId: two.taskId, attempt: Attempt.make(7), workerId: w, status: "RUNNING" }),
        TaskReport.make({
          taskId: TaskId.make("not-a-task"),
          attempt: Attempt.make(1),
          workerId: w,
          status: "RUNNING",
        }),
      ])
      expect(results.map((r) => (Either.isRight(r) ? r.right.status : r.left._tag))).toEqual([
        "RUNNING",
        "RUNNING",
        "IllegalTransition",
        "COMPLETED",
        "TaskNotAssigned",
        "StaleAttempt",
        "EntityNotFound",
      ])
      const detail = yield* store.getTask(one.taskId)
      expect(detail.task.status).toBe("COMPLETED")
      expect(detail.task.startedAt).toBeDefined()
      expect(detail.attempts.map((a) => [a.status, a.exitCode])).toEqual([["COMPLETED", 0]])
      expect((yield* store.getTask(two.taskId)).task.status).toBe("DATA_STAGING")
    }),
  )

  it.effect("releaseWorker requeues a vanished worker's tasks at once for another worker", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      // A lost lease uses up an attempt of the budget, like an expired one; unlike it, no backoff.
      const retry = RetryPolicy.make({ retries: 1, backoff: Backoff.make({ baseMs: 60_000, jitter: 0 }) })
      yield* submit(owner, sweep("orphans", 3, { retry }))
      const [gone, other] = [yield* worker(owner), yield* worker(owner)]
      const leased = yield* store.claim(gone, 3)
      const released = yield* store.releaseWorker(gone)
      expect(released.requeued.map((l) => l.taskId).sort()).toEqual(leased.map((c) => c.taskId).sort())
      const retaken = yield* store.claim(other, 3)
      expect(retaken.map((c) => Number(c.attempt))).toEqual([2, 2, 2])
      const [orphan] = leased
      assert(orphan !== undefined)
      const stale = yield* Effect.either(store.report(finish(orphan)))
      assert(Either.isLeft(stale))
      expect(stale.left._tag).toBe("StaleAttempt")
      // Out of budget, a second loss fails the tasks for good.
      const lost = yield* store.releaseWorker(other)
      expect([lost.requeued.length, lost.failed.length]).toEqual([0, 3])
    }),
  )
  it.effect(
    "handBack requeues unstarted attempts at once, refunds them, and leaves started or stale ones",
    () =>
      Effect.gen(function* () {
        yield* cleanSlate
        const store = yield* Store
        const owner = yield* tenant
        // One retry: were the handed-back attempt counted, attempt 2's failure would be final.
        const retry = RetryPolicy.make({ retries: 1, backoff: Backoff.make({ baseMs: 0, jitter: 0 }) })
        const experiment = yield* submit(owner, sweep("held", 4, { retry }))
        const [holder, other] = [yield* worker(owner), yield* worker(owner)]
        const [started, unstarted, stale, foreign] = yield* store.claim(holder, 4)
        assert(
          started !== undefined && unstarted !== undefined && stale !== undefined && foreign !== undefined,
        )
        yield* store.report(TaskReport.make({ ...lease(started), workerId: holder, status: "RUNNING" }))
        const back = yield* store.handBack(holder, [
          lease(started), // already RUNNING: the worker started it
          lease(unstarted),
          Lease.make({ taskId: stale.taskId, attempt: Attempt.make(stale.attempt + 1) }), // not its attempt
        ])
        expect(back.map((l) => [l.taskId, l.attempt])).toEqual([[unstarted.taskId, unstarted.attempt]])
        // Another worker's hand-back of a task it does not hold changes nothing.
        expect(yield* store.handBack(other, [lease(foreign)])).toEqual([])
        expect((yield* store.getExperiment(experiment.experiment.id)).runningTasks).toBe(3)

        const [retaken, ...none] = yield* store.claim(other, 4)
        expect(none).toEqual([])
        assert(retaken !== undefined)
        expect([retaken.taskId, retaken.attempt]).toEqual([unstarted.taskId, 2])
        // Attempt 2 fails and is retried: the hand-back did not use up the one retry.
        yield* store.report(finish(retaken, "FAILED", "boom"))
        const detail = yield* store.getTask(unstarted.taskId)
        expect(detail.task.status).toBe("QUEUED")
        expect(detail.attempts.map((a) => [a.attempt, a.workerId, a.status])).toEqual([
          [1, holder, "QUEUED"],
          [2, other, "FAILED"],
        ])
        // The old attempt is fenced off like any other.
        const late = yield* Effect.either(store.report(finish(unstarted)))
        assert(Either.isLeft(late))
        expect(late.left._tag).toBe("StaleAttempt")
      }),
  )
}
