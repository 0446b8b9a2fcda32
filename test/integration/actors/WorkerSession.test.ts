/**
 * WorkerSession over a real (in-memory PGlite) Store: what a connected worker gets, and what
 * happens to its tasks when its stream closes or its session crashes.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  Deferred,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  PubSub,
  Queue,
  Ref,
  TestClock,
} from "effect"
import { Dispatcher } from "../../../src/actors/Dispatcher.js"
import type { TaskId, WorkerId } from "../../../src/domain/Ids.js"
import { Backoff, RetryPolicy } from "../../../src/domain/RetryPolicy.js"
import { StoreLive } from "../../../src/layers/store/StoreLive.js"
import { Store } from "../../../src/ports/Store.js"
import { type ClaimedTask, Lease, type StoreChange, TaskReport } from "../../../src/ports/StoreModel.js"
import { finish, submit, sweep, tenant, worker } from "../store/fixtures.js"
import { connect, credits, observedClaims, statusOf } from "./sessionHarness.js"

// A lost attempt counts against the retry budget; these tasks have budget left and no backoff.
const retry = RetryPolicy.make({ retries: 2, backoff: Backoff.make({ baseMs: 0, jitter: 0 }) })

const storeLayer = StoreLive.pglite()
const base = Layer.provideMerge(Dispatcher.Default, storeLayer)

/** A Dispatcher whose feed never delivers anything: sessions hear of no change. */
const silentDispatcher = Layer.effect(
  Dispatcher,
  Effect.map(PubSub.unbounded<StoreChange>(), (changes) =>
    Dispatcher.make({
      subscribe: PubSub.subscribe(changes),
      publish: () => Effect.void,
      offerSlots: () => Effect.void,
      reserveSlots: () => Effect.succeed(Option.none()),
    }),
  ),
)

/** The real Store, except that `reportMany` dies: a bug inside the session's report path. */
const crashingReports = Layer.effect(
  Store,
  Effect.map(Store, (store) => ({ ...store, reportMany: () => Effect.die(new Error("bug in reportMany")) })),
)

describe("WorkerSession", () => {
  it.effect("assigns as many tasks as the worker has credits, and more as credits return", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      const id = yield* worker(owner)
      yield* submit(owner, sweep("t", 5))
      const session = yield* connect(id)
      yield* session.input.offer(credits(2))
      const first = yield* session.assigned
      expect(first).toHaveLength(2)
      yield* session.input.offer({ _tag: "Reports", reports: first.map((t) => finish(t)) })
      yield* session.input.offer(credits(2))
      const second = yield* session.assigned
      expect(second).toHaveLength(2)
      expect(new Set([...first, ...second].map((t) => t.taskId)).size).toBe(4)
      expect(yield* statusOf(first[0]?.taskId as TaskId)).toEqual(["COMPLETED", 1])
      yield* session.close
      yield* Fiber.join(session.fiber)
    }).pipe(Effect.provide(base)),
  )

  it.effect("an idle worker costs one claim per task: returned credits alone do not claim again", () =>
    Effect.gen(function* () {
      const claims = yield* Ref.make(0)
      const counting = Layer.effect(
        Store,
        Effect.map(Store, (store) => ({
          ...store,
          claim: (workerId: WorkerId, max: number) =>
            Ref.update(claims, (n) => n + 1).pipe(Effect.zipRight(store.claim(workerId, max))),
        })),
      )
      yield* Effect.gen(function* () {
        const owner = yield* tenant
        const session = yield* connect(yield* worker(owner))
        // Like a worker with free slots waiting for work: more credits than there are tasks.
        yield* session.input.offer(credits(2))
        const tasks = 8
        for (let i = 0; i < tasks; i++) {
          yield* submit(owner, sweep("t", 1))
          const [task] = yield* session.assigned
          yield* session.input.offer({ _tag: "Reports", reports: [finish(task as ClaimedTask)] })
          yield* session.input.offer(credits(1))
        }
        yield* session.close
        yield* Fiber.join(session.fiber)
      }).pipe(Effect.provide(counting))
      // One claim per submission (its TasksReady), plus at most the first (before any work) and
      // one for a notification that arrives after the claim it announced. Without the drained
      // state every completion's report and credits each cost a claim that found nothing.
      expect(yield* Ref.get(claims)).toBeLessThanOrEqual(8 + 2)
    }).pipe(Effect.provide(base)),
  )

  it.effect("requeues the worker's in-flight tasks as soon as its stream closes", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      const id = yield* worker(owner)
      yield* submit(owner, sweep("t", 1, { retry }))
      const session = yield* connect(id)
      yield* session.input.offer(credits(1))
      const [task] = yield* session.assigned
      expect(yield* statusOf(task?.taskId as TaskId)).toEqual(["DATA_STAGING", 1])
      yield* session.close
      yield* Fiber.join(session.fiber)
      // Released at once, not after the lease: attempt 2 may start on another worker now.
      const [status] = yield* statusOf(task?.taskId as TaskId)
      expect(status).toBe("QUEUED")
      const other = yield* connect(yield* worker(owner))
      yield* other.input.offer(credits(1))
      const [again] = yield* other.assigned
      expect([again?.taskId, again?.attempt]).toEqual([task?.taskId, 2])
      yield* other.close
    }).pipe(Effect.provide(base)),
  )

  it.effect("a session closed while its claim runs ends after that claim, and releases what it claimed", () =>
    Effect.gen(function* () {
      const events: Array<string> = []
      const claimedIds: Array<TaskId> = []
      const started = yield* Deferred.make<void>()
      // A claim that takes 10 ms at the database; the release records when it begins.
      const slowClaims = Layer.effect(
        Store,
        Effect.map(Store, (store) => ({
          ...store,
          claim: (workerId: WorkerId, max: number) =>
            Deferred.succeed(started, undefined).pipe(
              Effect.zipRight(Effect.sleep("10 millis")),
              Effect.zipRight(store.claim(workerId, max)),
              Effect.tap((claimed) =>
                Effect.sync(() => {
                  events.push(`claimed ${claimed.length}`)
                  claimedIds.push(...claimed.map((t) => t.taskId))
                }),
              ),
            ),
          releaseWorker: (workerId: WorkerId) =>
            Effect.zipRight(
              Effect.sync(() => events.push("release")),
              store.releaseWorker(workerId),
            ),
        })),
      )
      const owner = yield* tenant
      const id = yield* worker(owner)
      yield* submit(owner, sweep("t", 1, { retry }))
      yield* Effect.gen(function* () {
        const session = yield* connect(id)
        yield* session.input.offer(credits(1))
        yield* Deferred.await(started)
        // The stream closes while the claim is at the database.
        yield* session.close
        yield* Effect.iterate(0, { while: (n) => n < 50, body: (n) => Effect.as(Effect.yieldNow(), n + 1) })
        yield* TestClock.adjust("10 millis")
        yield* Fiber.join(session.fiber)
      }).pipe(Effect.provide(slowClaims))
      // Had the claim been abandoned, what it leased would have committed after the release and
      // stayed leased to the departed worker until its lease ran out.
      expect(events).toEqual(["claimed 1", "release"])
      expect(yield* statusOf(claimedIds[0] as TaskId)).toEqual(["QUEUED", 1])
    }).pipe(Effect.provide(base)),
  )

  it.effect("tasks handed back unstarted go to a waiting worker at once, not after a lease or a poll", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      const holder = yield* worker(owner)
      yield* submit(owner, sweep("t", 3, { retry }))
      const session = yield* connect(holder)
      const other = yield* connect(yield* worker(owner))
      // The other worker asks first and finds nothing: its claim has run dry.
      yield* session.input.offer(credits(3))
      const held = yield* session.assigned
      expect(held).toHaveLength(3)
      yield* other.input.offer(credits(2))
      const [kept, ...back] = held
      yield* session.input.offer({
        _tag: "HandBack",
        leases: back.map((t) => Lease.make({ taskId: t.taskId, attempt: t.attempt })),
      })
      // TasksReady wakes the dry session before its poll: attempt 2 of each, nothing else.
      const retaken = yield* other.assigned
      expect(retaken.map((t) => [t.taskId, t.attempt]).sort()).toEqual(back.map((t) => [t.taskId, 2]).sort())
      expect(yield* statusOf(kept?.taskId as TaskId)).toEqual(["DATA_STAGING", 1])
      // Closing releases what the holder still has (the kept task), not what it handed back.
      yield* session.close
      yield* Fiber.join(session.fiber)
      for (const t of back) expect(yield* statusOf(t.taskId)).toEqual(["DATA_STAGING", 2])
      expect(yield* statusOf(kept?.taskId as TaskId)).toEqual(["QUEUED", 1])
      yield* other.close
    }).pipe(Effect.provide(base)),
  )

  it.effect("pausing an experiment takes back what the worker holds unstarted; what runs stays", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const owner = yield* tenant
      const id = yield* worker(owner)
      const submitted = yield* submit(owner, sweep("t", 3, { retry }))
      const session = yield* connect(id)
      yield* session.input.offer(credits(3))
      const [running, ...held] = yield* session.assigned
      assert(running !== undefined)
      yield* session.input.offer({
        _tag: "Reports",
        reports: [
          TaskReport.make({
            taskId: running.taskId,
            attempt: running.attempt,
            workerId: id,
            status: "RUNNING",
          }),
        ],
      })
      yield* Effect.iterate(false, {
        while: (isRunning) => !isRunning,
        body: () => Effect.map(statusOf(running.taskId), ([status]) => status === "RUNNING"),
      })
      yield* store.pauseExperiment(submitted.experiment.id)
      const canceled: Array<string> = []
      while (canceled.length < held.length) {
        const message = yield* session.output.take
        if (message._tag === "Cancel") canceled.push(message.taskId)
      }
      expect(canceled.sort()).toEqual(held.map((t) => t.taskId).sort())
      for (const t of held) expect(yield* statusOf(t.taskId)).toEqual(["QUEUED", 1])
      expect(yield* statusOf(running.taskId)).toEqual(["RUNNING", 1])
      yield* session.close
    }).pipe(Effect.provide(base)),
  )

  it.effect("a crash inside a session ends that session with the defect and returns its tasks", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      yield* submit(owner, sweep("t", 2, { retry }))
      const crashing = yield* Effect.gen(function* () {
        const session = yield* connect(yield* worker(owner))
        yield* session.input.offer(credits(1))
        const [task] = yield* session.assigned
        yield* session.input.offer({ _tag: "Reports", reports: [finish(task as ClaimedTask)] })
        return { exit: yield* Fiber.await(session.fiber), task: task as ClaimedTask }
      }).pipe(Effect.provide(crashingReports))
      expect(Exit.isFailure(crashing.exit)).toBe(true)
      if (Exit.isFailure(crashing.exit)) {
        const defects = Chunk.toReadonlyArray(Cause.defects(crashing.exit.cause))
        expect(String(defects[0])).toContain("bug in reportMany")
      }
      expect((yield* statusOf(crashing.task.taskId))[0]).toBe("QUEUED")

      // The rest of the scheduler keeps going: a healthy session gets both tasks.
      const healthy = yield* connect(yield* worker(owner))
      yield* healthy.input.offer(credits(2))
      const tasks = yield* healthy.assigned
      expect(tasks.map((t) => t.taskId)).toContain(crashing.task.taskId)
      yield* healthy.close
    }).pipe(Effect.provide(base)),
  )

  it.effect("a task failed with retries left is assigned again right when its backoff ends", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      const id = yield* worker(owner)
      const backoff = RetryPolicy.make({ retries: 1, backoff: Backoff.make({ baseMs: 5_000, jitter: 0 }) })
      yield* submit(owner, sweep("t", 1, { retry: backoff }))
      // No fallback poll within the test: only the wake-up at the end of the backoff can assign.
      const session = yield* connect(id, "1 hour")
      yield* session.input.offer(credits(1))
      const [task] = yield* session.assigned
      yield* session.input.offer({ _tag: "Reports", reports: [finish(task as ClaimedTask, "FAILED")] })
      yield* session.input.offer(credits(1))
      yield* Effect.iterate(0, { while: (n) => n < 50, body: (n) => Effect.as(Effect.yieldNow(), n + 1) })
      yield* TestClock.adjust("4999 millis")
      expect(yield* Queue.poll(session.output)).toEqual(Option.none())
      yield* TestClock.adjust("1 millis")
      const [again] = yield* session.assigned
      expect([again?.taskId, again?.attempt]).toEqual([task?.taskId, 2])
      yield* session.close
    }).pipe(Effect.provide(base)),
  )

  it.effect("a session that found nothing claims again at its fallback poll, with no news at all", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      const id = yield* worker(owner)
      const claims = yield* Queue.unbounded<number>()
      const session = yield* connect(id, "10 seconds").pipe(Effect.provide(observedClaims(claims)))
      // Nothing to claim: the session's claim runs dry and it waits.
      yield* session.input.offer(credits(2))
      expect(yield* claims.take).toBe(0)
      // Work arrives, but its notification never reaches this session (the feed is silent).
      yield* submit(owner, sweep("t", 2))
      yield* Effect.iterate(0, { while: (n) => n < 50, body: (n) => Effect.as(Effect.yieldNow(), n + 1) })
      expect(yield* Queue.poll(claims)).toEqual(Option.none())
      yield* TestClock.adjust("10 seconds")
      expect(yield* session.assigned).toHaveLength(2)
      expect(yield* claims.take).toBe(2)
      yield* session.close
    }).pipe(Effect.provide(Layer.provideMerge(silentDispatcher, storeLayer))),
  )
})
