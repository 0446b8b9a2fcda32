/**
 * createAndLease: a submission that leases its first ready tasks to an idle worker in the statement
 * that inserts them, with the claim's rules and the claim's bookkeeping.
 */
import { assert, expect, type Vitest } from "@effect/vitest"
import { Clock, Effect, Option, Stream } from "effect"
import type { WorkerId } from "../../../src/domain/Ids.js"
import { ResourceRequirements } from "../../../src/domain/Requirements.js"
import type { Expansion } from "../../../src/domain/spec/ExpandedTask.js"
import { Store } from "../../../src/ports/Store.js"
import { listening, next } from "./feedTests.js"
import {
  cleanSlate,
  drain,
  finish,
  listed,
  newExperiment,
  sweep,
  type Tenant,
  task,
  tenant,
  worker,
} from "./fixtures.js"

const createAndLease = (
  owner: Tenant,
  expansion: Expansion,
  workerId: WorkerId,
  max: number,
  options: { readonly start?: boolean } = {},
) =>
  Effect.flatMap(Store, (store) =>
    store.createAndLease(newExperiment(owner, options), expansion, { workerId, max }),
  )

const urgent = ResourceRequirements.make({ priority: 9 })

export const leaseTests = (it: Vitest.MethodsNonLive<Store>) => {
  it.effect("createAndLease leases the first ready tasks to the worker as its claim would", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const holder = yield* worker(owner)
      // b[0] waits on a[0]; a[2] comes last but outranks the others.
      const expansion = listed([
        task("a", 0),
        task("a", 1),
        task("a", 2, { requirements: urgent }),
        task("b", 0, { after: ["a[0]"] }),
      ])
      const created = yield* createAndLease(owner, expansion, holder, 2)
      const id = created.summary.experiment.id
      expect(created.summary.experiment.status).toBe("EXECUTING")
      expect(created.leased.map((t) => [t.key, t.attempt, t.workerId])).toEqual([
        ["a[0]", 1, holder],
        ["a[2]", 1, holder],
      ])
      const [first] = created.leased
      assert(first !== undefined)
      expect(first).toMatchObject({ name: "a", index: 0, script: "echo a 0", environment: { TASK: "a" } })
      // The Store's lease (30 s) from the creation time, as a claim's.
      expect(first.leaseExpiresAt.epochMillis).toBe(
        yield* Clock.currentTimeMillis.pipe(Effect.map((t) => t + 30_000)),
      )

      // What a claim writes: the lease, the attempt row, the running count.
      const counts = yield* store.countTasks(id)
      expect([counts.DATA_STAGING, counts.QUEUED, counts.CREATED]).toEqual([2, 1, 1])
      expect((yield* store.getExperiment(id)).runningTasks).toBe(2)
      const detail = yield* store.getTask(first.taskId)
      expect([detail.task.status, detail.task.leaseOwner]).toEqual(["DATA_STAGING", holder])
      expect(detail.attempts.map((a) => [a.attempt, a.workerId, a.status])).toEqual([
        [1, holder, "DATA_STAGING"],
      ])

      // The rest is anyone's; the leased attempts report like claimed ones.
      const rest = yield* drain(yield* worker(owner), 10)
      expect(rest.map((t) => t.key)).toEqual(["a[1]"])
      const outcomes = yield* store.reportMany(created.leased.map((t) => finish(t)))
      expect(outcomes.map((o) => o._tag === "Right" && o.right.status)).toEqual(["COMPLETED", "COMPLETED"])
      expect((yield* drain(holder, 10)).map((t) => t.key)).toEqual(["b[0]"])
    }),
  )

  it.effect("createAndLease leases nothing the worker may not take: requirements, status, no start", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const holder = yield* worker(owner)
      const gpu = ResourceRequirements.make({ gpus: 1 })

      // Beyond the worker's capabilities: QUEUED, for a worker that has them.
      const heavy = yield* createAndLease(owner, listed([task("g", 0, { requirements: gpu })]), holder, 4)
      expect(heavy.leased).toEqual([])
      expect((yield* store.countTasks(heavy.summary.experiment.id)).QUEUED).toBe(1)
      expect((yield* drain(yield* worker(owner, 1), 4)).map((t) => t.key)).toEqual(["g[0]"])

      // Not started: nothing is leased, and nothing runs until it starts.
      const waiting = yield* createAndLease(owner, sweep("w", 2), holder, 4, { start: false })
      expect(waiting.leased).toEqual([])
      expect(waiting.summary.experiment.status).toBe("CREATED")
      expect(yield* drain(holder, 4)).toEqual([])

      // A worker that left (its stream closed) gets nothing: the tasks are QUEUED for others.
      yield* store.markDisconnected(holder)
      const orphan = yield* createAndLease(owner, sweep("o", 2), holder, 4)
      expect(orphan.leased).toEqual([])
      expect((yield* store.countTasks(orphan.summary.experiment.id)).QUEUED).toBe(2)
      expect((yield* drain(yield* worker(owner), 4)).map((t) => [t.key, t.attempt])).toEqual([
        ["o[0]", 1],
        ["o[1]", 1],
      ])
    }),
  )

  it.effect("createAndLease of an experiment too large for one statement inserts it all, leasing none", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const holder = yield* worker(owner)
      const created = yield* createAndLease(owner, sweep("big", 2001), holder, 8)
      expect(created.leased).toEqual([])
      const counts = yield* store.countTasks(created.summary.experiment.id)
      expect(counts.QUEUED).toBe(2001)
      expect(yield* store.claim(holder, 8)).toHaveLength(8)
    }),
  )

  it.effect("createAndLease refuses what createExperiment refuses, writing nothing", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const holder = yield* worker(owner)
      const dangling = yield* Effect.either(
        createAndLease(owner, listed([task("x", 0, { after: ["ghost[0]"] })]), holder, 1),
      )
      assert(dangling._tag === "Left")
      expect(dangling.left._tag).toBe("InvalidInput")
      expect(yield* drain(holder, 4)).toEqual([])
      const empty = yield* createAndLease(owner, { total: 0, counts: [], tasks: Stream.empty }, holder, 1)
      expect([empty.summary.experiment.status, empty.leased]).toEqual(["COMPLETED", []])
      expect((yield* store.getWorker(holder)).status).not.toBe("DISCONNECTED")
    }),
  )

  it.scoped("a submission whose ready tasks were all leased at birth announces no TasksReady", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const owner = yield* tenant
      const queue = yield* listening(owner)
      const holder = yield* worker(owner)
      const leased = yield* createAndLease(owner, sweep("l", 2), holder, 2)
      expect(leased.leased).toHaveLength(2)
      const partly = yield* createAndLease(owner, sweep("p", 3), holder, 2)
      expect(partly.leased).toHaveLength(2)
      // Notifications arrive in commit order: by the second experiment's TasksReady, the first's
      // would have come.
      const ready = yield* next(queue, (c) => c._tag === "TasksReady")
      assert(Option.isSome(ready) && ready.value._tag === "TasksReady")
      expect(ready.value.experimentIds).toEqual([partly.summary.experiment.id])
    }),
  )
}
