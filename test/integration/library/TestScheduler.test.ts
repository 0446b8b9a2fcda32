// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${…}" here is spec syntax, not a template.
/**
 * The testing harness as a user drives it: handlers registered by name, a DAG run to completion in
 * memory, and time (retry backoff, attempt timeouts, leases) moving only with the TestClock.
 */
import * as Fs from "node:fs/promises"
import { assert, describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, DateTime, Deferred, Effect, Either, Fiber, Option, Queue, Ref } from "effect"
import { Scheduler } from "../../../src/actors/Scheduler.js"
import { ProjectId, UserId } from "../../../src/domain/Ids.js"
import { NewExperiment } from "../../../src/ports/StoreModel.js"
import { HandlerError, type TaskHandler, TestScheduler } from "../../../src/testing/index.js"

const dagSpec = `
name: handler-dag
parameters:
  SEED: { type: int }
  TRAJECTORY: { type: path }
  STATS: { type: path }
tasks:
  simulate:
    handler: simulate
    task_inputs:
      SEED: [1, 2, 3]
    task_outputs:
      TRAJECTORY: trajectory.txt
  analyze:
    handler: analyze
    foreach: [simulate]
    task_inputs:
      TRAJECTORY: \${simulate.TRAJECTORY}
    task_outputs:
      STATS: stats.txt
  summarize:
    handler: summarize
    depends_on: [analyze]
  stamp:
    command: echo "stamped after summarize"
    depends_on: [summarize]
`

const oneTask = (handler: string, policy: string) => `
name: ${handler}
tasks:
  only:
    handler: ${handler}
${policy}
`

const write = (path: string | undefined, text: string) =>
  path === undefined
    ? Effect.fail(new HandlerError({ message: "no output path" }))
    : Effect.promise(() => Fs.writeFile(path, text))
const read = (path: string | undefined) =>
  path === undefined
    ? Effect.fail(new HandlerError({ message: "no input path" }))
    : Effect.promise(() => Fs.readFile(path, "utf8"))

describe("TestScheduler", () => {
  it.scoped(
    "runs a DAG of handlers and a script to completion: outputs flow downstream, barriers hold, no time passes",
    () =>
      Effect.gen(function* () {
        const order = yield* Ref.make<ReadonlyArray<string>>([])
        const note = (key: string) => Ref.update(order, (o) => [...o, key])
        const analyzed = yield* Ref.make<Record<string, number>>({})
        const handlers: Record<string, TaskHandler> = {
          simulate: (c) =>
            Effect.zipRight(note(c.key), write(c.outputs.TRAJECTORY, `${Number(c.inputs.SEED) * 10}`)),
          analyze: (c) =>
            Effect.gen(function* () {
              yield* note(c.key)
              const value = Number(yield* read(c.inputs.TRAJECTORY))
              yield* Ref.update(analyzed, (a) => ({ ...a, [c.key]: value }))
              yield* write(c.outputs.STATS, `stats ${value + 1}`)
            }),
          summarize: (c) => note(c.key),
        }
        const before = yield* Clock.currentTimeMillis
        const final = yield* Effect.gen(function* () {
          const harness = yield* TestScheduler
          const scheduler = yield* Scheduler
          const summary = yield* harness.runToCompletion({ text: dagSpec, file: "dag.yaml" })
          const page = yield* scheduler.tasks({ experimentId: summary.experiment.id, limit: 100 })
          const stamp = page.tasks.find((t) => t.name === "stamp")
          assert(stamp !== undefined)
          const logs = yield* scheduler.logs({ taskId: stamp.id, stream: "stdout" })
          return { summary, tasks: page.tasks, stampOutput: logs.map((l) => l.data).join("") }
        }).pipe(Effect.provide(TestScheduler.layer({ handlers, slots: 2 })))

        expect(final.summary.experiment.status).toBe("COMPLETED")
        expect(final.summary.completedTasks).toBe(8)
        // Scripts run too (real bash), and their output reaches the Store like a remote worker's.
        expect(final.stampOutput).toBe("stamped after summarize\n")
        expect(final.tasks.every((t) => t.status === "COMPLETED" && t.attempt === 1)).toBe(true)
        const ran = yield* Ref.get(order)
        expect([...ran].sort()).toEqual([
          "analyze[0]",
          "analyze[1]",
          "analyze[2]",
          "simulate[0]",
          "simulate[1]",
          "simulate[2]",
          "summarize[0]",
        ])
        expect(ran.at(-1)).toBe("summarize[0]")
        // Each analyze read the file its own simulate wrote (SEED × 10).
        expect(yield* Ref.get(analyzed)).toEqual({ "analyze[0]": 10, "analyze[1]": 20, "analyze[2]": 30 })
        for (const i of [0, 1, 2])
          expect(ran.indexOf(`simulate[${i}]`)).toBeLessThan(ran.indexOf(`analyze[${i}]`))
        // Nothing waited on time, so the clock never moved.
        expect(yield* Clock.currentTimeMillis).toBe(before)
      }),
  )

  it.scoped("an open experiment runs tasks as they are added and completes once closed", () =>
    Effect.gen(function* () {
      const seen = yield* Queue.unbounded<string>()
      const handlers: Record<string, TaskHandler> = {
        square: (c) => Effect.asVoid(Queue.offer(seen, `${c.inputs.N}`)),
      }
      const before = yield* Clock.currentTimeMillis
      const final = yield* Effect.gen(function* () {
        const scheduler = yield* Scheduler
        const harness = yield* TestScheduler
        const spec = "name: feed\ntasks:\n  square:\n    handler: square\n    task_inputs:\n      N: [1]\n"
        const open = yield* scheduler.open({ text: spec, file: "feed.yaml" })
        // Each added task runs without anything else submitted; the experiment stays open meanwhile.
        for (const n of ["2", "3"]) {
          yield* scheduler.addTasks(open, [{ task: "square", inputs: { N: n } }])
          const settled = yield* harness.settle(open.id)
          expect([settled._tag, yield* Queue.takeAll(seen)]).toEqual(["Waiting", Chunk.of(n)])
        }
        expect((yield* scheduler.get(open.id)).experiment.status).toBe("EXECUTING")
        yield* scheduler.closeExperiment(open.id)
        return yield* scheduler.awaitCompletion(open.id)
      }).pipe(Effect.provide(TestScheduler.layer({ handlers, slots: 1 })))
      expect([final.experiment.status, final.completedTasks, final.experiment.totalTasks]).toEqual([
        "COMPLETED",
        2,
        2,
      ])
      expect(yield* Clock.currentTimeMillis).toBe(before)
    }),
  )

  it.scoped("refuses an experiment name it could not read back, before writing anything", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      // In the spec: reported where it is written.
      const inSpec = yield* Effect.either(
        scheduler.submit({ text: oneTask("h", "").replace("name: h", "name: ' padded'"), file: "p.yaml" }),
      )
      assert(Either.isLeft(inSpec) && inSpec.left._tag === "SpecInvalid")
      expect(inSpec.left.issues.map((i) => [i.line, i.path])).toEqual([[2, "name"]])
      // As an option: empty, and too long.
      for (const name of ["", "n".repeat(256)]) {
        const result = yield* Effect.either(
          scheduler.submit({ text: oneTask("h", ""), file: "o.yaml" }, { name }),
        )
        assert(Either.isLeft(result))
        expect(result.left).toMatchObject({ _tag: "InvalidInput", path: "name" })
      }
      // Nothing was written, and listing (which decodes every row) still works.
      expect(yield* scheduler.list({})).toEqual([])
      // Nor can such a name reach the store by another way.
      expect(() =>
        NewExperiment.make({
          name: " padded",
          projectId: ProjectId.make("p"),
          ownerId: UserId.make("u"),
          spec: {},
        }),
      ).toThrow(/whitespace/)
    }).pipe(Effect.provide(TestScheduler.layer({ handlers: { h: () => Effect.void } }))),
  )

  it.scoped("retries after the backoff on the TestClock: not a millisecond before, and right at it", () =>
    Effect.gen(function* () {
      // Each attempt announces (attempt, clock time) when it starts; the first two fail.
      const starts = yield* Queue.unbounded<readonly [number, number]>()
      const flaky: TaskHandler = (c) =>
        Effect.gen(function* () {
          yield* Queue.offer(starts, [c.attempt, yield* Clock.currentTimeMillis] as const)
          if (c.attempt < 3) return yield* new HandlerError({ message: `attempt ${c.attempt} fails` })
        })
      const spec = oneTask("flaky", "    retries: 2\n    backoff: { base: 1s, factor: 2, jitter: 0 }")
      yield* Effect.gen(function* () {
        const harness = yield* TestScheduler
        const scheduler = yield* Scheduler
        const submitted = yield* scheduler.submit({ text: spec, file: "flaky.yaml" })
        const id = submitted.experiment.id

        const [first, t0] = yield* Queue.take(starts)
        expect(first).toBe(1)
        // The failure is recorded with a retry due 1 s later (base 1 s, no jitter).
        const afterFirst = yield* harness.settle(id)
        assert(afterFirst._tag === "Waiting")
        expect(Option.map(afterFirst.until, DateTime.toEpochMillis)).toEqual(Option.some(t0 + 1000))

        yield* harness.advance("999 millis")
        const early = yield* harness.settle(id)
        expect(early._tag).toBe("Waiting")
        expect(yield* Queue.size(starts)).toBe(0)
        const [task] = (yield* scheduler.tasks({ experimentId: id })).tasks
        expect([task?.status, task?.attempt]).toEqual(["QUEUED", 1])

        yield* harness.advance("1 millis")
        expect(yield* Queue.take(starts)).toEqual([2, t0 + 1000])

        // Second retry: backoff doubles to 2 s, counted from the second failure.
        yield* harness.settle(id)
        yield* harness.advance("1999 millis")
        const stillWaiting = yield* harness.settle(id)
        expect(stillWaiting._tag).toBe("Waiting")
        expect(yield* Queue.size(starts)).toBe(0)
        yield* harness.advance("1 millis")
        expect(yield* Queue.take(starts)).toEqual([3, t0 + 3000])

        const done = yield* harness.settle(id)
        assert(done._tag === "Finished")
        expect(done.summary.experiment.status).toBe("COMPLETED")
        const [only] = (yield* scheduler.tasks({ experimentId: id })).tasks
        assert(only !== undefined)
        const detail = yield* scheduler.task(only.id)
        expect(detail.attempts.map((a) => a.status)).toEqual(["FAILED", "FAILED", "COMPLETED"])
      }).pipe(Effect.provide(TestScheduler.layer({ handlers: { flaky } })))
    }),
  )

  it.scoped("an attempt times out only when the TestClock reaches its limit", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const hang: TaskHandler = () => Deferred.succeed(started, undefined).pipe(Effect.zipRight(Effect.never))
      yield* Effect.gen(function* () {
        const harness = yield* TestScheduler
        const scheduler = yield* Scheduler
        const submitted = yield* scheduler.submit({
          text: oneTask("hang", "    retries: 0\n    timeout: 30s"),
          file: "hang.yaml",
        })
        const id = submitted.experiment.id
        const done = yield* Effect.fork(scheduler.awaitCompletion(id))
        yield* Deferred.await(started)
        yield* harness.advance("29 seconds")
        expect((yield* scheduler.get(id)).experiment.status).toBe("EXECUTING")
        const [running] = (yield* scheduler.tasks({ experimentId: id })).tasks
        expect(running?.status).toBe("RUNNING")
        yield* harness.advance("1 second")
        const final = yield* Fiber.join(done)
        expect(final.experiment.status).toBe("FAILED")
        const [failed] = (yield* scheduler.tasks({ experimentId: id })).tasks
        expect(failed?.error).toMatch(/timed out after 30s/)
      }).pipe(Effect.provide(TestScheduler.layer({ handlers: { hang } })))
    }),
  )

  it.scoped("heartbeats keep a long attempt's lease across a big clock jump; it completes on attempt 1", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const long: TaskHandler = () =>
        Deferred.succeed(started, undefined).pipe(Effect.zipRight(Effect.sleep("5 minutes")))
      yield* Effect.gen(function* () {
        const harness = yield* TestScheduler
        const scheduler = yield* Scheduler
        const submitted = yield* scheduler.submit({
          text: oneTask("long", "    retries: 0"),
          file: "long.yaml",
        })
        const id = submitted.experiment.id
        yield* Deferred.await(started)
        // Ten lease lengths pass; the worker heartbeats every 10 s on the same clock.
        yield* harness.advance("5 minutes")
        const settled = yield* harness.settle(id)
        assert(settled._tag === "Finished")
        expect(settled.summary.experiment.status).toBe("COMPLETED")
        const [only] = (yield* scheduler.tasks({ experimentId: id })).tasks
        expect([only?.status, only?.attempt]).toEqual(["COMPLETED", 1])
      }).pipe(Effect.provide(TestScheduler.layer({ handlers: { long } })))
    }),
  )

  it.scoped("retry jitter comes from the harness's seeded Random: the same delay on every run", () =>
    Effect.gen(function* () {
      // Default backoff: base 1 s, 10 % jitter. One failure, then see when the retry is due.
      const onceFlaky: TaskHandler = (c) =>
        c.attempt === 1 ? Effect.fail(new HandlerError({ message: "first attempt fails" })) : Effect.void
      const firstRetryDelay = Effect.gen(function* () {
        const harness = yield* TestScheduler
        const scheduler = yield* Scheduler
        const t0 = yield* Clock.currentTimeMillis
        const submitted = yield* scheduler.submit({ text: oneTask("onceFlaky", ""), file: "once.yaml" })
        const settled = yield* harness.settle(submitted.experiment.id)
        assert(settled._tag === "Waiting")
        return Option.getOrThrow(Option.map(settled.until, DateTime.toEpochMillis)) - t0
      })
      const layer = TestScheduler.layer({ handlers: { onceFlaky } })
      const first = yield* Effect.provide(firstRetryDelay, layer)
      const second = yield* Effect.provide(firstRetryDelay, layer)
      expect(first).toBe(second)
      expect(first).toBeGreaterThan(900)
      expect(first).toBeLessThanOrEqual(1000)
    }),
  )
})
