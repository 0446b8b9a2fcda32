/**
 * Work submitted in the process of an idle worker's session (Dispatcher.reserveSlots): leased to
 * that worker as it is inserted and pushed to it, without the NOTIFY and the claim.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Queue, TestClock, TestServices } from "effect"
import { Dispatcher } from "../../../src/actors/Dispatcher.js"
import type { TaskId } from "../../../src/domain/Ids.js"
import { loadSpec } from "../../../src/domain/spec/index.js"
import { StoreLive } from "../../../src/layers/store/StoreLive.js"
import { Store } from "../../../src/ports/Store.js"
import { addTasks } from "../../../src/programs/addTasks.js"
import { submitExperiment } from "../../../src/programs/submitExperiment.js"
import { finish, type Tenant, tenant, unique, worker } from "../store/fixtures.js"
import { connect, credits, observedClaims, statusOf } from "./sessionHarness.js"

const base = Layer.provideMerge(Dispatcher.Default, StoreLive.pglite())

/** Submits a one-task experiment as Scheduler.submit does, offering it to idle sessions. */
const submitOne = (owner: Tenant) =>
  Effect.gen(function* () {
    const dispatcher = yield* Dispatcher
    const spec = yield* loadSpec(`name: ${unique("handed")}\ntasks:\n  t:\n    command: echo\n`, "t.yaml")
    return yield* submitExperiment(spec, {
      ownerId: owner.userId,
      projectId: owner.projectId,
      reserveSlots: dispatcher.reserveSlots,
    })
  })

describe("submission hand-over", () => {
  it.effect("tasks added to an open experiment here go to the idle worker at once; the rest wait", () =>
    Effect.gen(function* () {
      const claims = yield* Queue.unbounded<number>()
      yield* Effect.gen(function* () {
        const owner = yield* tenant
        const dispatcher = yield* Dispatcher
        const session = yield* connect(yield* worker(owner), "1 hour")
        yield* session.input.offer(credits(1))
        expect(yield* claims.take).toBe(0)

        const spec = yield* loadSpec(
          `name: ${unique("feed")}\ntasks:\n  t:\n    command: echo $X\n    task_inputs:\n      X: "0"\n`,
          "t.yaml",
        )
        const opened = yield* submitExperiment(spec, {
          ownerId: owner.userId,
          projectId: owner.projectId,
          open: true,
        })
        const open = { id: opened.experiment.id, spec }
        const reserveSlots = dispatcher.reserveSlots
        const { taskIds } = yield* addTasks(
          open,
          [
            { task: "t", inputs: { X: "1" } },
            { task: "t", inputs: { X: "2" } },
          ],
          {
            reserveSlots,
          },
        )
        const [first, second] = taskIds
        // One free slot: the first is handed over without a claim, the second waits in the queue.
        const [handed] = yield* session.assigned
        expect([handed?.taskId, handed?.attempt, handed?.inputs]).toEqual([first, 1, { X: "1" }])
        expect(yield* claims.size).toBe(0)
        assert(second !== undefined)
        expect(yield* statusOf(second)).toEqual(["QUEUED", 0])
        yield* session.close
        yield* Fiber.join(session.fiber)
      }).pipe(Effect.provide(observedClaims(claims)))
    }).pipe(Effect.provide(base)),
  )

  it.effect("work submitted here goes to the idle worker's free slots at once, without a claim", () =>
    Effect.gen(function* () {
      const claims = yield* Queue.unbounded<number>()
      yield* Effect.gen(function* () {
        const owner = yield* tenant
        const session = yield* connect(yield* worker(owner), "1 hour")
        yield* session.input.offer(credits(2))
        // Its first claim finds nothing: the session is idle with two free slots.
        expect(yield* claims.take).toBe(0)

        const first = yield* submitOne(owner)
        const [handed] = yield* session.assigned
        assert(handed !== undefined)
        expect([handed.experimentId, handed.attempt]).toEqual([first.experiment.id, 1])
        yield* submitOne(owner)
        expect(yield* session.assigned).toHaveLength(1)
        expect(yield* claims.size).toBe(0)

        // No slot left: the third waits in the queue, and is claimed once a slot frees.
        const third = yield* submitOne(owner)
        yield* session.input.offer({ _tag: "Reports", reports: [finish(handed)] })
        yield* session.input.offer(credits(1))
        const [claimed] = yield* session.assigned
        expect(claimed?.experimentId).toBe(third.experiment.id)
        expect(yield* claims.size).toBeGreaterThan(0)
        expect(yield* statusOf(handed.taskId)).toEqual(["COMPLETED", 1])
        yield* session.close
        yield* Fiber.join(session.fiber)
      }).pipe(Effect.provide(observedClaims(claims)))
    }).pipe(Effect.provide(base)),
  )

  it.effect("a task leased for a session that ended meanwhile goes back to the queue at once", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      const holder = yield* worker(owner)
      const claims = yield* Queue.unbounded<number>()
      const session = yield* connect(holder, "1 hour").pipe(Effect.provide(observedClaims(claims)))
      const leased: Array<TaskId> = []
      // The session ends (and releases its worker's tasks) after its slot was reserved, and the
      // statement still finds the worker able to claim (as when it commits between the release and
      // the worker being marked gone): the lease is made, and the hand-over fails.
      const endingSession = Layer.effect(
        Store,
        Effect.map(Store, (store) => ({
          ...store,
          createAndLease: ((input, expansion, offer) =>
            Effect.gen(function* () {
              yield* session.close
              yield* Fiber.join(session.fiber)
              yield* Effect.orDie(store.workerSeen(holder, "revived"))
              const created = yield* store.createAndLease(input, expansion, offer)
              leased.push(...created.leased.map((t) => t.taskId))
              return created
            })) satisfies Store["Type"]["createAndLease"],
        })),
      )
      yield* session.input.offer(credits(1))
      // Its first claim finds nothing: the session is idle with a free slot.
      expect(yield* claims.take).toBe(0)
      yield* submitOne(owner).pipe(Effect.provide(endingSession))
      const [taskId] = leased
      assert(taskId !== undefined)
      // Given back unstarted: claimable now by another worker, without using up a retry.
      expect(yield* statusOf(taskId)).toEqual(["QUEUED", 1])
      const other = yield* connect(yield* worker(owner))
      yield* other.input.offer(credits(1))
      const [again] = yield* other.assigned
      expect([again?.taskId, again?.attempt]).toEqual([taskId, 2])
      yield* other.close
    }).pipe(Effect.provide(base)),
  )

  it.effect("a submission interrupted during its statement still completes and hands its task over", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      const claims = yield* Queue.unbounded<number>()
      const session = yield* connect(yield* worker(owner), "1 hour").pipe(
        Effect.provide(observedClaims(claims)),
      )
      const entered = yield* Deferred.make<void>()
      // A statement that takes a second: the caller gives up on it half way.
      const slowLease = Layer.effect(
        Store,
        Effect.map(Store, (store) => ({
          ...store,
          createAndLease: ((input, expansion, offer) =>
            Deferred.succeed(entered, undefined).pipe(
              Effect.zipRight(Effect.sleep("1 second")),
              Effect.zipRight(store.createAndLease(input, expansion, offer)),
            )) satisfies Store["Type"]["createAndLease"],
        })),
      )
      yield* session.input.offer(credits(1))
      expect(yield* claims.take).toBe(0)
      const submission = yield* submitOne(owner).pipe(Effect.provide(slowLease), Effect.fork)
      yield* Deferred.await(entered)
      const interruption = yield* Effect.fork(Fiber.interrupt(submission))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(interruption)
      // The lease was made and handed over, not left to wait out its expiry on a worker that never heard of it.
      const handed = yield* TestServices.provideLive(Effect.timeoutOption(session.assigned, "5 seconds"))
      expect(Option.map(handed, (tasks) => tasks.map((t) => t.attempt))).toEqual(Option.some([1]))
      yield* session.close
    }).pipe(Effect.provide(base)),
  )
})
