/** Claims: exactly-once under concurrency, lease expiry and fencing, fair share, requirements, backoff. */
import { assert, expect, type Vitest } from "@effect/vitest"
import { Clock, Effect, Either, TestClock } from "effect"
import { ResourceRequirements } from "../../../src/domain/Requirements.js"
import { Backoff, RetryPolicy } from "../../../src/domain/RetryPolicy.js"
import { Store } from "../../../src/ports/Store.js"
import { Lease } from "../../../src/ports/StoreModel.js"
import { cleanSlate, drain, finish, submit, sweep, tenant, worker } from "./fixtures.js"

export const claimTests = (it: Vitest.MethodsNonLive<Store>) => {
  it.effect(
    "16 concurrent claimers over 20,000 tasks claim every task exactly once",
    () =>
      Effect.gen(function* () {
        yield* cleanSlate
        const store = yield* Store
        const owner = yield* tenant
        const experiment = yield* submit(owner, sweep("sweep", 20_000))
        const workers = yield* Effect.all(Array.from({ length: 16 }, () => worker(owner)))
        // Batch sizes 1, 7 and 32 side by side: single and multi-row claims race each other.
        const claimed = yield* Effect.forEach(workers, (id, i) => drain(id, [1, 7, 32][i % 3] ?? 1), {
          concurrency: "unbounded",
        })
        const [firstWorker] = workers
        assert(firstWorker !== undefined)
        const leftovers = yield* drain(firstWorker, 32)
        const all = [...claimed.flat(), ...leftovers]
        const ids = new Set(all.map((c) => c.taskId))
        expect(all.length).toBe(20_000)
        expect(ids.size).toBe(20_000)
        expect(all.every((c) => c.attempt === 1)).toBe(true)
        const counts = yield* store.countTasks(experiment.experiment.id)
        expect(counts.DATA_STAGING).toBe(20_000)
        expect(counts.QUEUED).toBe(0)
        const summary = yield* store.getExperiment(experiment.experiment.id)
        expect(summary.runningTasks).toBe(20_000)
        const picked = all[12_345]
        assert(picked !== undefined)
        const sample = yield* store.getTask(picked.taskId)
        expect(sample.attempts.map((a) => [a.attempt, a.workerId, a.status])).toEqual([
          [1, sample.task.leaseOwner, "DATA_STAGING"],
        ])
      }),
    300_000,
  )

  it.effect("a heartbeat leaves a lease extended moments ago as it is, and reports it held", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      yield* submit(owner, sweep("fresh", 1))
      const holder = yield* worker(owner)
      const [claimed] = yield* store.claim(holder, 1)
      assert(claimed !== undefined)
      const lease = Lease.make({ taskId: claimed.taskId, attempt: claimed.attempt })
      const expiry = () => Effect.map(store.getTask(claimed.taskId), (d) => d.task.leaseExpiresAt)
      const claimedUntil = yield* expiry()

      // 4 s after the claim (under a sixth of the 30 s lease): held, not rewritten.
      yield* TestClock.adjust("4 seconds")
      const early = yield* store.heartbeat(holder, [lease])
      expect([early.extended.length, early.stale.length]).toEqual([1, 0])
      expect(yield* expiry()).toEqual(claimedUntil)

      // 6 s after: extended to 30 s from now.
      yield* TestClock.adjust("2 seconds")
      const later = yield* store.heartbeat(holder, [lease])
      expect(later.extended.length).toBe(1)
      const now = yield* Clock.currentTimeMillis
      expect((yield* expiry())?.epochMillis).toBe(now + 30_000)
    }),
  )

  it.effect("an expired lease is reclaimed with attempt + 1 and the stale attempt is fenced off", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const retry = RetryPolicy.make({ retries: 3, backoff: Backoff.make({ baseMs: 5_000, jitter: 0 }) })
      const experiment = yield* submit(owner, sweep("one", 1, { retry }))
      const [first, second] = [yield* worker(owner), yield* worker(owner)]
      const [claimed] = yield* store.claim(first, 1)
      assert(claimed !== undefined)
      expect(claimed.attempt).toBe(1)

      // Heartbeats keep the lease alive past its original 30 s.
      yield* TestClock.adjust("20 seconds")
      const beat = yield* store.heartbeat(first, [
        Lease.make({ taskId: claimed.taskId, attempt: claimed.attempt }),
      ])
      expect(beat.extended.length).toBe(1)
      yield* TestClock.adjust("20 seconds")
      expect((yield* store.reap()).requeued.length).toBe(0)

      // Then the worker goes silent: the lease lapses and the reaper requeues with backoff.
      yield* TestClock.adjust("31 seconds")
      const reaped = yield* store.reap()
      expect(reaped.requeued.map((l) => [l.taskId, l.attempt, l.workerId])).toEqual([
        [claimed.taskId, 1, first],
      ])
      expect(yield* store.claim(second, 1)).toEqual([])
      yield* TestClock.adjust("5 seconds")
      const [again] = yield* store.claim(second, 1)
      assert(again !== undefined)
      expect(again.taskId).toBe(claimed.taskId)
      expect(again.attempt).toBe(2)

      const stale = yield* Effect.either(store.report(finish(claimed)))
      assert(Either.isLeft(stale))
      expect(stale.left._tag).toBe("StaleAttempt")
      expect(stale.left).toMatchObject({ reported: 1, current: 2 })
      const staleBeat = yield* store.heartbeat(first, [
        Lease.make({ taskId: claimed.taskId, attempt: claimed.attempt }),
      ])
      expect(staleBeat.stale.length).toBe(1)

      const done = yield* store.report(finish(again))
      expect(done.status).toBe("COMPLETED")
      const summary = yield* store.getExperiment(experiment.experiment.id)
      expect(summary.experiment.status).toBe("COMPLETED")
      expect(summary.runningTasks).toBe(0)
      const detail = yield* store.getTask(claimed.taskId)
      expect(detail.attempts.map((a) => [a.attempt, a.status])).toEqual([
        [1, "QUEUED"],
        [2, "COMPLETED"],
      ])
    }),
  )

  it.effect("fair share: a user with 10 tasks is served within the first claims beside one with 1,000", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const [a, b] = [yield* tenant, yield* tenant]
      yield* submit(a, sweep("big", 1_000))
      const small = yield* submit(b, sweep("small", 10))
      const w = yield* worker(a)
      const firstTwenty = []
      for (let i = 0; i < 20; i++) firstTwenty.push(...(yield* store.claim(w, 1)))
      const fromB = firstTwenty.filter((c) => c.experimentId === small.experiment.id)
      expect(fromB.length).toBe(10)
      // Within one batch too: the next batch of 8 interleaves nobody else, B has nothing left.
      const batch = yield* store.claim(w, 8)
      expect(batch.every((c) => c.experimentId !== small.experiment.id)).toBe(true)
    }),
  )

  it.effect("fair share within one batch: a claim of 20 interleaves two users", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const [a, b] = [yield* tenant, yield* tenant]
      yield* submit(a, sweep("big", 100))
      const small = yield* submit(b, sweep("small", 10))
      const batch = yield* store.claim(yield* worker(a), 20)
      expect(batch.filter((c) => c.experimentId === small.experiment.id).length).toBe(10)
    }),
  )

  it.effect("requirements: a task needing a GPU goes only to a worker that has one", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      yield* submit(owner, sweep("gpu", 3, { requirements: ResourceRequirements.make({ gpus: 1 }) }))
      const cpuOnly = yield* worker(owner, 0)
      expect(yield* store.claim(cpuOnly, 10)).toEqual([])
      const gpuWorker = yield* worker(owner, 2)
      expect((yield* store.claim(gpuWorker, 10)).length).toBe(3)
    }),
  )

  it.effect("a failure with retries left sets not_before from the backoff; the last one is final", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const retry = RetryPolicy.make({
        retries: 2,
        backoff: Backoff.make({ baseMs: 1_000, factor: 2, jitter: 0 }),
      })
      const experiment = yield* submit(owner, sweep("flaky", 1, { retry }))
      const w = yield* worker(owner)
      // The TestClock is shared by the tests of a layer: times are relative to this test's start.
      const start = yield* Clock.currentTimeMillis
      const [one] = yield* store.claim(w, 1)
      assert(one !== undefined)
      const failed = yield* store.report(finish(one, "FAILED"))
      expect(failed.status).toBe("QUEUED")
      expect(failed.notBefore?.epochMillis).toBe(start + 1_000)
      expect((yield* store.getTask(one.taskId)).task.notBefore?.epochMillis).toBe(start + 1_000)
      yield* TestClock.adjust("999 millis")
      expect(yield* store.claim(w, 1)).toEqual([])
      yield* TestClock.adjust("1 millis")
      const [two] = yield* store.claim(w, 1)
      assert(two !== undefined)
      expect(two.attempt).toBe(2)
      const failedAgain = yield* store.report(finish(two, "FAILED"))
      expect(failedAgain.notBefore?.epochMillis).toBe(start + 1_000 + 2_000)
      yield* TestClock.adjust("2 seconds")
      const [three] = yield* store.claim(w, 1)
      assert(three !== undefined)
      const final = yield* store.report(finish(three, "FAILED", "out of luck"))
      expect(final.status).toBe("FAILED")
      const summary = yield* store.getExperiment(experiment.experiment.id)
      expect(summary.experiment.status).toBe("FAILED")
      expect(summary.failedTasks).toBe(1)
      expect((yield* store.getTask(one.taskId)).task.error).toBe("out of luck")
    }),
  )
}
