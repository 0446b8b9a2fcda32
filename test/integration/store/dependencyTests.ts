/** Dependencies: instance edges (a diamond), task-name barriers (afterAll), and failure propagation. */
import { assert, expect, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import { OutputRef } from "../../../src/domain/spec/ExpandedTask.js"
import { Store } from "../../../src/ports/Store.js"
import type { ClaimedTask } from "../../../src/ports/StoreModel.js"
import { cleanSlate, finish, listed, submit, task, tenant, worker } from "./fixtures.js"

/** a → b, c → d; d reads b's output. */
const diamond = () =>
  listed([
    task("a"),
    task("b", 0, { after: ["a[0]"] }),
    task("c", 0, { after: ["a[0]"] }),
    task("d", 0, {
      after: ["b[0]", "c[0]"],
      inputs: { fromB: OutputRef.make({ task: "b[0]", output: "out" }), literal: "x" },
    }),
  ])

const keys = (claimed: ReadonlyArray<ClaimedTask>) => claimed.map((c) => c.key).sort()

export const dependencyTests = (it: Vitest.MethodsNonLive<Store>) => {
  it.effect("a diamond DAG releases each task when its last dependency completes", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, diamond())
      const w = yield* worker(owner)
      const first = yield* store.claim(w, 10)
      expect(keys(first)).toEqual(["a[0]"])
      const [a] = first
      assert(a !== undefined)
      yield* store.report(finish(a))
      const second = yield* store.claim(w, 10)
      expect(keys(second)).toEqual(["b[0]", "c[0]"])
      const b = second.find((c) => c.key === "b[0]")
      const c = second.find((c) => c.key === "c[0]")
      assert(b !== undefined && c !== undefined)
      yield* store.report(finish(b))
      expect(yield* store.claim(w, 10)).toEqual([])
      expect((yield* store.getTask(a.taskId)).task.status).toBe("COMPLETED")
      yield* store.report(finish(c))
      const third = yield* store.claim(w, 10)
      expect(keys(third)).toEqual(["d[0]"])
      const [d] = third
      assert(d !== undefined)
      // The OutputRef input names its upstream instance by id, so outputs can be located.
      expect(d.upstream).toEqual({ "b[0]": b.taskId })
      expect(d.inputs.literal).toBe("x")
      yield* store.report(finish(d))
      const summary = yield* store.getExperiment(experiment.experiment.id)
      expect(summary.experiment.status).toBe("COMPLETED")
      expect(summary.completedTasks).toBe(4)
    }),
  )

  it.effect("a failure with no retries left cancels every dependent, naming the failed task", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, diamond())
      const w = yield* worker(owner)
      const [a] = yield* store.claim(w, 10)
      assert(a !== undefined)
      const outcome = yield* store.report(finish(a, "FAILED", "segfault"))
      expect(outcome.status).toBe("FAILED")
      const counts = yield* store.countTasks(experiment.experiment.id)
      expect(counts).toMatchObject({ FAILED: 1, CANCELED: 3, CREATED: 0, QUEUED: 0 })
      const page = yield* store.listTasks({
        experimentId: experiment.experiment.id,
        status: "CANCELED",
        limit: 10,
      })
      expect(page.tasks.map((t) => t.error)).toEqual(Array(3).fill("upstream task a[0] failed"))
      const summary = yield* store.getExperiment(experiment.experiment.id)
      expect(summary.experiment.status).toBe("FAILED")
      expect([summary.failedTasks, summary.canceledTasks]).toEqual([1, 3])
    }),
  )

  it.effect(
    "a failure in one branch cancels only what waits on it; the experiment fails when all is done",
    () =>
      Effect.gen(function* () {
        yield* cleanSlate
        const store = yield* Store
        const owner = yield* tenant
        const experiment = yield* submit(owner, diamond())
        const w = yield* worker(owner)
        const [a] = yield* store.claim(w, 10)
        assert(a !== undefined)
        yield* store.report(finish(a))
        const branches = yield* store.claim(w, 10)
        const b = branches.find((x) => x.key === "b[0]")
        const c = branches.find((x) => x.key === "c[0]")
        assert(b !== undefined && c !== undefined)
        yield* store.report(finish(b, "FAILED"))
        expect((yield* store.getExperiment(experiment.experiment.id)).experiment.status).toBe("EXECUTING")
        yield* store.report(finish(c))
        const summary = yield* store.getExperiment(experiment.experiment.id)
        expect(summary.experiment.status).toBe("FAILED")
        expect([summary.completedTasks, summary.failedTasks, summary.canceledTasks]).toEqual([2, 1, 1])
      }),
  )

  it.effect("a barrier (afterAll) waits for every instance of the named task", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(
        owner,
        listed([
          task("A", 0),
          task("A", 1),
          task("A", 2),
          task("B", 0, { afterAll: ["A"] }),
          task("B", 1, { afterAll: ["A"] }),
        ]),
      )
      const w = yield* worker(owner)
      const instances = yield* store.claim(w, 10)
      expect(keys(instances)).toEqual(["A[0]", "A[1]", "A[2]"])
      const [first, second, third] = instances
      assert(first !== undefined && second !== undefined && third !== undefined)
      yield* store.reportMany([finish(first), finish(second)])
      expect(yield* store.claim(w, 10)).toEqual([])
      yield* store.report(finish(third))
      const released = yield* store.claim(w, 10)
      expect(keys(released)).toEqual(["B[0]", "B[1]"])
      yield* store.reportMany(released.map((c) => finish(c)))
      expect((yield* store.getExperiment(experiment.experiment.id)).experiment.status).toBe("COMPLETED")
    }),
  )

  it.effect("a failed instance behind a barrier cancels the waiting task name", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(
        owner,
        listed([
          task("A", 0),
          task("A", 1),
          task("B", 0, { afterAll: ["A"] }),
          task("C", 0, { after: ["B[0]"] }),
        ]),
      )
      const w = yield* worker(owner)
      const [a0, a1] = yield* store.claim(w, 10)
      assert(a0 !== undefined && a1 !== undefined)
      yield* store.reportMany([finish(a0), finish(a1, "FAILED")])
      const counts = yield* store.countTasks(experiment.experiment.id)
      expect(counts).toMatchObject({ COMPLETED: 1, FAILED: 1, CANCELED: 2 })
      expect((yield* store.getExperiment(experiment.experiment.id)).experiment.status).toBe("FAILED")
    }),
  )
}
