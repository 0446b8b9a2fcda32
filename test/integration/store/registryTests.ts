/** The worker registry, task logs, queries and the typed refusals of createExperiment. */
import { assert, expect, type Vitest } from "@effect/vitest"
import { DateTime, Effect, Either, Stream, TestClock } from "effect"
import { ExperimentConstraints } from "../../../src/domain/Experiment.js"
import { Attempt, ExperimentId, UserId, WorkerId } from "../../../src/domain/Ids.js"
import { Store } from "../../../src/ports/Store.js"
import {
  LogChunk,
  LogQuery,
  NewExperiment,
  TaskQuery,
  WorkerRegistration,
} from "../../../src/ports/StoreModel.js"
import { capabilities, cleanSlate, listed, submit, sweep, task, tenant, unique, worker } from "./fixtures.js"

export const registryTests = (it: Vitest.MethodsNonLive<Store>) => {
  it.effect("the summary a small submission returns is the one read back, started or not", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const owner = yield* tenant
      for (const start of [true, false]) {
        const created = yield* submit(owner, sweep("small", 3), { start })
        const stored = yield* store.getExperiment(created.experiment.id)
        expect(created).toEqual(stored)
        expect(created.experiment.status).toBe(start ? "EXECUTING" : "CREATED")
        expect(created.experiment.startedAt === undefined).toBe(!start)
        expect([created.experiment.totalTasks, created.runningTasks, created.completedTasks]).toEqual([
          3, 0, 0,
        ])
      }
    }),
  )

  it.effect("workers register, authenticate by token hash and move through their states", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const owner = yield* tenant
      const id = WorkerId.make(unique("worker"))
      const hash = "f".repeat(64)
      const registered = yield* store.registerWorker(
        WorkerRegistration.make({
          id,
          computeResourceId: owner.resourceId,
          capabilities: capabilities(),
          slots: 4,
          tokenHash: hash,
        }),
      )
      expect([registered.status, registered.slots]).toEqual(["REGISTERED", 4])
      expect((yield* store.authenticateWorker(id, hash)).id).toBe(id)
      const wrong = yield* Effect.either(store.authenticateWorker(id, "0".repeat(64)))
      assert(Either.isLeft(wrong))
      expect(wrong.left).toMatchObject({ _tag: "WorkerUnauthenticated", reason: "invalid-token" })
      const unknown = yield* Effect.either(store.authenticateWorker(WorkerId.make("nobody-here"), hash))
      assert(Either.isLeft(unknown))
      expect(unknown.left).toMatchObject({ reason: "unknown-worker" })
      expect((yield* store.workerSeen(id, "session-1")).status).toBe("IDLE")
      expect((yield* store.markDisconnected(id)).status).toBe("DISCONNECTED")
      const refused = yield* Effect.either(store.claim(id, 1))
      assert(Either.isLeft(refused))
      expect(refused.left).toMatchObject({ _tag: "WorkerUnavailable", status: "DISCONNECTED" })
      expect((yield* store.workerSeen(id, "session-2")).status).toBe("IDLE")
      const stranger = yield* Effect.either(store.claim(WorkerId.make("nobody-here"), 1))
      assert(Either.isLeft(stranger))
      expect(stranger.left).toMatchObject({ _tag: "EntityNotFound", entity: "worker" })
    }),
  )

  it.effect("logs are stored per attempt and stream, resent chunks are ignored", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      yield* submit(owner, sweep("chatty", 1))
      const w = yield* worker(owner)
      const [claimed] = yield* store.claim(w, 1)
      assert(claimed !== undefined)
      const chunk = (stream: "stdout" | "stderr", seq: number, data: string) =>
        LogChunk.make({ taskId: claimed.taskId, attempt: claimed.attempt, stream, seq, data })
      yield* store.appendLogs([chunk("stdout", 0, "hello\n"), chunk("stderr", 0, "warning\n")])
      yield* store.appendLogs([chunk("stdout", 1, "world\n"), chunk("stdout", 0, "resent, ignored\n")])
      const out = yield* store.readLogs(LogQuery.make({ taskId: claimed.taskId, stream: "stdout" }))
      expect(out.map((e) => e.data).join("")).toBe("hello\nworld\n")
      const tail = yield* store.readLogs(LogQuery.make({ taskId: claimed.taskId, fromSeq: 1 }))
      expect(tail.map((e) => [e.stream, e.seq])).toEqual([["stdout", 1]])
      const orphan = yield* Effect.either(
        store.appendLogs([
          LogChunk.make({
            taskId: claimed.taskId,
            attempt: Attempt.make(9),
            stream: "stdout",
            seq: 0,
            data: "x",
          }),
        ]),
      )
      assert(Either.isLeft(orphan))
      expect(orphan.left._tag).toBe("EntityNotFound")
    }),
  )

  it.effect("tasks are listed page by page and counted per status", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, sweep("paged", 25))
      const id = experiment.experiment.id
      yield* store.claim(yield* worker(owner), 5)
      const keys: Array<string> = []
      let cursor: string | undefined
      do {
        const page = yield* store.listTasks(
          TaskQuery.make({ experimentId: id, limit: 10, ...(cursor === undefined ? {} : { cursor }) }),
        )
        keys.push(...page.tasks.map((t) => t.key))
        cursor = page.next
      } while (cursor !== undefined)
      expect(keys).toEqual(Array.from({ length: 25 }, (_, i) => `paged[${i}]`))
      const staging = yield* store.listTasks(TaskQuery.make({ experimentId: id, status: "DATA_STAGING" }))
      expect(staging.tasks.length).toBe(5)
      expect(yield* store.countTasks(id)).toMatchObject({ QUEUED: 20, DATA_STAGING: 5, COMPLETED: 0 })
      const missing = yield* Effect.either(store.getExperiment(ExperimentId.make("no-such-experiment")))
      assert(Either.isLeft(missing))
      expect(missing.left).toMatchObject({ _tag: "EntityNotFound", entity: "experiment" })
    }),
  )

  it.effect("createExperiment refuses duplicates, unknown owners and self-contradicting expansions", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const input = (name: string) =>
        NewExperiment.make({ name, projectId: owner.projectId, ownerId: owner.userId, spec: {} })
      yield* store.createExperiment(input("twice"), sweep("x", 1))
      const twice = yield* Effect.either(store.createExperiment(input("twice"), sweep("x", 1)))
      assert(Either.isLeft(twice))
      expect(twice.left).toMatchObject({ _tag: "EntityAlreadyExists", entity: "experiment", field: "name" })
      const dangling = yield* Effect.either(
        store.createExperiment(input("dangling"), listed([task("a", 0, { after: ["ghost[0]"] })])),
      )
      assert(Either.isLeft(dangling))
      expect(dangling.left).toMatchObject({ _tag: "InvalidInput", path: "tasks[].after" })
      const miscounted = yield* Effect.either(
        store.createExperiment(input("miscounted"), { ...sweep("m", 3), total: 4 }),
      )
      assert(Either.isLeft(miscounted))
      expect(miscounted.left).toMatchObject({ _tag: "InvalidInput", path: "total" })
      // A small declared total still gets the number the expansion really produces.
      const undercounted = yield* Effect.either(
        store.createExperiment(input("undercounted"), { ...sweep("u", 2500), total: 5 }),
      )
      assert(Either.isLeft(undercounted))
      expect(undercounted.left).toMatchObject({
        _tag: "InvalidInput",
        path: "total",
        expected: "the number of tasks the expansion produces (2500)",
        actual: "5",
      })
      // A deadline must come after the creation time, which only the store knows: refused before
      // anything is written, for a small experiment (one statement) and an empty one alike.
      yield* TestClock.setTime(Date.parse("2026-06-01T00:00:00Z"))
      const late = (name: string) =>
        NewExperiment.make({
          ...input(name),
          constraints: ExperimentConstraints.make({ deadline: DateTime.unsafeMake("2026-05-31T23:59:59Z") }),
        })
      for (const expansion of [sweep("d", 2), sweep("d", 0)]) {
        const overdue = yield* Effect.either(store.createExperiment(late("overdue"), expansion))
        assert(Either.isLeft(overdue))
        expect(overdue.left).toMatchObject({ _tag: "InvalidInput", path: "constraints.deadline" })
      }
      const inTime = yield* store.createExperiment(
        NewExperiment.make({
          ...input("overdue"),
          constraints: ExperimentConstraints.make({ deadline: DateTime.unsafeMake("2026-06-01T00:00:01Z") }),
        }),
        sweep("d", 2),
      )
      expect(inTime.experiment.constraints.deadline).toEqual(DateTime.unsafeMake("2026-06-01T00:00:01Z"))
      // Nothing of a refused experiment remains.
      const again = yield* store.createExperiment(input("dangling"), sweep("ok", 2))
      expect(again.experiment.totalTasks).toBe(2)
      const stranger = yield* Effect.either(
        store.createExperiment(
          NewExperiment.make({ ...input("stranger"), ownerId: UserId.make("nobody") }),
          sweep("s", 1),
        ),
      )
      assert(Either.isLeft(stranger))
      expect(stranger.left).toMatchObject({ _tag: "EntityNotFound", entity: "user", id: "nobody" })
      // An expansion that fails mid-stream fails the call with its own error, and writes nothing.
      const broken = yield* Effect.either(
        store.createExperiment(input("broken"), {
          total: 1,
          counts: [{ name: "e", count: 1 }],
          tasks: Stream.fail("spec broke mid-stream" as const),
        }),
      )
      assert(Either.isLeft(broken))
      expect(broken.left).toBe("spec broke mid-stream")
      expect((yield* store.createExperiment(input("broken"), sweep("e", 1))).experiment.name).toBe("broken")
    }),
  )

  it.effect("an empty experiment completes as soon as it starts", () =>
    Effect.gen(function* () {
      const owner = yield* tenant
      const done = yield* submit(owner, { total: 0, counts: [], tasks: Stream.empty })
      expect(done.experiment.status).toBe("COMPLETED")
      const held = yield* submit(owner, { total: 0, counts: [], tasks: Stream.empty }, { start: false })
      expect(held.experiment.status).toBe("CREATED")
      const started = yield* (yield* Store).startExperiment(held.experiment.id)
      expect(started.experiment.status).toBe("COMPLETED")
    }),
  )
}
