/**
 * retryFailed resumes the DAG as if the failure had not happened: the failed tasks are requeued and
 * the dependents their failure canceled wait on their dependencies again, with counters that stay
 * equal to the tasks' actual statuses throughout.
 */
import { assert, expect, type Vitest } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { ExperimentId, WorkerId } from "../../../src/domain/Ids.js"
import type { ExpandedTask } from "../../../src/domain/spec/ExpandedTask.js"
import { Store } from "../../../src/ports/Store.js"
import type { ClaimedTask } from "../../../src/ports/StoreModel.js"
import { cleanSlate, finish, listed, submit, task, tenant, worker } from "./fixtures.js"

/** a → b → c */
const chain = () => [task("a"), task("b", 0, { after: ["a[0]"] }), task("c", 0, { after: ["b[0]"] })]

/** a → b, c → d */
const diamond = () => [
  task("a"),
  task("b", 0, { after: ["a[0]"] }),
  task("c", 0, { after: ["a[0]"] }),
  task("d", 0, { after: ["b[0]", "c[0]"] }),
]

/** Each task's key → its status and pending dependencies. */
const tasksOf = (id: ExperimentId) =>
  Effect.gen(function* () {
    const page = yield* (yield* Store).listTasks({ experimentId: id, limit: 100 })
    return Object.fromEntries(page.tasks.map((t) => [t.key, [t.status, t.pendingDependencies]]))
  })

/** The experiment's counters agree with its tasks' actual statuses; returns its summary. */
const consistent = (id: ExperimentId) =>
  Effect.gen(function* () {
    const store = yield* Store
    const counts = yield* store.countTasks(id)
    const summary = yield* store.getExperiment(id)
    expect([summary.completedTasks, summary.failedTasks, summary.canceledTasks]).toEqual([
      counts.COMPLETED,
      counts.FAILED,
      counts.CANCELED,
    ])
    return summary
  })

/** Claims what is claimable, checks it is exactly `keys`, and returns it by key. */
const claimExactly = (w: WorkerId, keys: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const claimed = yield* (yield* Store).claim(w, 10)
    expect(claimed.map((c) => c.key).sort()).toEqual([...keys].sort())
    return new Map(claimed.map((c): [string, ClaimedTask] => [c.key, c]))
  })

/** Claims exactly `keys` and completes them. */
const runExactly = (w: WorkerId, keys: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const claimed = yield* claimExactly(w, keys)
    yield* (yield* Store).reportMany([...claimed.values()].map((c) => finish(c)))
  })

/** Submits `tasks` and fails the first task for good; returns the experiment and a worker. */
const failFirst = (tasks: ReadonlyArray<ExpandedTask>) =>
  Effect.gen(function* () {
    yield* cleanSlate
    const store = yield* Store
    const owner = yield* tenant
    const id = (yield* submit(owner, listed(tasks))).experiment.id
    const w = yield* worker(owner)
    const first = (yield* claimExactly(w, ["a[0]"])).get("a[0]")
    assert(first !== undefined)
    yield* store.report(finish(first, "FAILED"))
    return { id, w, first }
  })

/** A diamond whose head completed and whose two branches are claimed by one worker. */
const diamondBranchesClaimed = Effect.gen(function* () {
  yield* cleanSlate
  const owner = yield* tenant
  const id = (yield* submit(owner, listed(diamond()))).experiment.id
  const w = yield* worker(owner)
  yield* runExactly(w, ["a[0]"])
  const branches = yield* claimExactly(w, ["b[0]", "c[0]"])
  const [b, c] = [branches.get("b[0]"), branches.get("c[0]")]
  assert(b !== undefined && c !== undefined)
  return { id, w, b, c }
})

export const retryTests = (it: Vitest.MethodsNonLive<Store>) => {
  it.effect("retryFailed revives a chain canceled by its failed head, which then runs to completion", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const { id, w, first } = yield* failFirst(chain())
      expect(yield* tasksOf(id)).toMatchObject({ "a[0]": ["FAILED", 0], "b[0]": ["CANCELED", 1] })
      expect((yield* consistent(id)).experiment.status).toBe("FAILED")

      const retried = yield* store.retryFailed(id)
      expect([retried.requeuedTasks, retried.revivedTasks]).toEqual([1, 2])
      expect(retried.experiment.experiment.status).toBe("EXECUTING")
      expect([retried.experiment.failedTasks, retried.experiment.canceledTasks]).toEqual([0, 0])
      expect(yield* tasksOf(id)).toEqual({
        "a[0]": ["QUEUED", 0],
        "b[0]": ["CREATED", 1],
        "c[0]": ["CREATED", 1],
      })
      expect((yield* store.getTask(first.taskId)).task.error).toBeUndefined()
      yield* consistent(id)

      // Attempt numbers keep growing (the fence); nothing downstream is claimable yet.
      const again = (yield* claimExactly(w, ["a[0]"])).get("a[0]")
      expect(again?.attempt).toBe(2)
      assert(again !== undefined)
      yield* store.report(finish(again))
      yield* runExactly(w, ["b[0]"])
      expect(yield* tasksOf(id)).toMatchObject({ "c[0]": ["QUEUED", 0] })
      yield* runExactly(w, ["c[0]"])
      const done = yield* consistent(id)
      expect(done.experiment.status).toBe("COMPLETED")
      expect([done.completedTasks, done.failedTasks, done.canceledTasks]).toEqual([3, 0, 0])
    }),
  )

  it.effect("a revived diamond waits for both branches before its join", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const { id, w } = yield* failFirst(diamond())
      expect(yield* store.countTasks(id)).toMatchObject({ FAILED: 1, CANCELED: 3 })
      yield* store.retryFailed(id)
      expect(yield* tasksOf(id)).toEqual({
        "a[0]": ["QUEUED", 0],
        "b[0]": ["CREATED", 1],
        "c[0]": ["CREATED", 1],
        "d[0]": ["CREATED", 2],
      })
      yield* consistent(id)
      yield* runExactly(w, ["a[0]"])
      const branches = yield* claimExactly(w, ["b[0]", "c[0]"])
      const [b, c] = [branches.get("b[0]"), branches.get("c[0]")]
      assert(b !== undefined && c !== undefined)
      yield* store.report(finish(b))
      expect(yield* tasksOf(id)).toMatchObject({ "d[0]": ["CREATED", 1] })
      yield* store.report(finish(c))
      yield* runExactly(w, ["d[0]"])
      const done = yield* consistent(id)
      expect(done.experiment.status).toBe("COMPLETED")
      expect(done.completedTasks).toBe(4)
    }),
  )

  it.effect("a revived task counts only its unfinished dependencies, including ones finished since", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const { id, w, b, c } = yield* diamondBranchesClaimed
      // b fails for good while c still runs: d is canceled, then c completes behind its back.
      yield* store.report(finish(b, "FAILED"))
      expect((yield* tasksOf(id))["d[0]"]).toEqual(["CANCELED", 2])
      yield* store.report(finish(c))
      expect((yield* consistent(id)).experiment.status).toBe("FAILED")

      yield* store.retryFailed(id)
      expect(yield* tasksOf(id)).toMatchObject({ "b[0]": ["QUEUED", 0], "d[0]": ["CREATED", 1] })
      yield* runExactly(w, ["b[0]"])
      yield* runExactly(w, ["d[0]"])
      const done = yield* consistent(id)
      expect(done.experiment.status).toBe("COMPLETED")
      expect([done.completedTasks, done.failedTasks, done.canceledTasks]).toEqual([4, 0, 0])
    }),
  )

  it.effect("retrying while the experiment runs revives dependents that wait on running work", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const { id, w, b, c } = yield* diamondBranchesClaimed
      yield* store.report(finish(b, "FAILED"))
      expect((yield* consistent(id)).experiment.status).toBe("EXECUTING")

      const retried = yield* store.retryFailed(id)
      expect(retried.experiment.experiment.status).toBe("EXECUTING")
      expect(retried.experiment.runningTasks).toBe(1)
      expect(yield* tasksOf(id)).toMatchObject({ "b[0]": ["QUEUED", 0], "d[0]": ["CREATED", 2] })
      yield* store.report(finish(c))
      expect((yield* tasksOf(id))["d[0]"]).toEqual(["CREATED", 1])
      yield* runExactly(w, ["b[0]"])
      yield* runExactly(w, ["d[0]"])
      expect((yield* consistent(id)).experiment.status).toBe("COMPLETED")
    }),
  )

  it.effect("a barrier (afterAll) revived by retry waits for the whole group again", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const id = (yield* submit(
        owner,
        listed([
          task("A", 0),
          task("A", 1),
          task("B", 0, { afterAll: ["A"] }),
          task("C", 0, { after: ["B[0]"] }),
        ]),
      )).experiment.id
      const w = yield* worker(owner)
      const group = yield* claimExactly(w, ["A[0]", "A[1]"])
      const [a0, a1] = [group.get("A[0]"), group.get("A[1]")]
      assert(a0 !== undefined && a1 !== undefined)
      yield* store.reportMany([finish(a0), finish(a1, "FAILED")])
      expect(yield* store.countTasks(id)).toMatchObject({ COMPLETED: 1, FAILED: 1, CANCELED: 2 })

      yield* store.retryFailed(id)
      expect(yield* tasksOf(id)).toEqual({
        "A[0]": ["COMPLETED", 0],
        "A[1]": ["QUEUED", 0],
        "B[0]": ["CREATED", 1],
        "C[0]": ["CREATED", 1],
      })
      yield* consistent(id)
      yield* runExactly(w, ["A[1]"])
      yield* runExactly(w, ["B[0]"])
      yield* runExactly(w, ["C[0]"])
      expect((yield* consistent(id)).experiment.status).toBe("COMPLETED")
    }),
  )

  it.effect(
    "a retried task that fails for good again cancels its dependents again, and retry revives them again",
    () =>
      Effect.gen(function* () {
        const store = yield* Store
        const { id, w } = yield* failFirst(chain())
        yield* store.retryFailed(id)
        const again = (yield* claimExactly(w, ["a[0]"])).get("a[0]")
        assert(again !== undefined)
        yield* store.report(finish(again, "FAILED", "still broken"))
        expect(yield* tasksOf(id)).toMatchObject({ "b[0]": ["CANCELED", 1], "c[0]": ["CANCELED", 1] })
        const failed = yield* consistent(id)
        expect(failed.experiment.status).toBe("FAILED")
        expect([failed.failedTasks, failed.canceledTasks]).toEqual([1, 2])

        yield* store.retryFailed(id)
        expect(yield* tasksOf(id)).toMatchObject({ "b[0]": ["CREATED", 1], "c[0]": ["CREATED", 1] })
        yield* runExactly(w, ["a[0]"])
        yield* runExactly(w, ["b[0]"])
        yield* runExactly(w, ["c[0]"])
        expect((yield* consistent(id)).experiment.status).toBe("COMPLETED")
      }),
  )

  it.effect("tasks of a canceled experiment stay canceled: retry is refused", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const id = (yield* submit(owner, listed([...chain(), task("y")]))).experiment.id
      const w = yield* worker(owner)
      // `y` is still running when `a` fails, so the experiment runs on; the operator cancels it.
      const a = (yield* claimExactly(w, ["a[0]", "y[0]"])).get("a[0]")
      assert(a !== undefined)
      yield* store.report(finish(a, "FAILED"))
      expect((yield* consistent(id)).experiment.status).toBe("EXECUTING")
      yield* store.cancelExperiment(id, "operator said stop")
      const before = yield* store.countTasks(id)
      expect(before).toMatchObject({ FAILED: 1, CANCELED: 3 })

      const refused = yield* Effect.either(store.retryFailed(id))
      assert(Either.isLeft(refused))
      expect(refused.left._tag).toBe("IllegalTransition")
      expect(yield* store.countTasks(id)).toEqual(before)
      expect((yield* consistent(id)).experiment.status).toBe("CANCELED")
    }),
  )
}
