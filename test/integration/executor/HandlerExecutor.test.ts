import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Ref, TestClock } from "effect"
import { HandlerError } from "../../../src/worker/executor/ExecutorErrors.js"
import { loadHandlerModule } from "../../../src/worker/executor/HandlerModule.js"
import type { RunTaskOptions } from "../../../src/worker/executor/runTask.js"
import { attemptDirectory } from "../../../src/worker/executor/TaskDirectory.js"
import { TaskHandlers } from "../../../src/worker/executor/TaskHandlers.js"
import type { TaskRun } from "../../../src/worker/executor/TaskRun.js"
import {
  awaitSleeps,
  CONSUMPTIONS,
  collect as collectAs,
  consume,
  forkRun as forkRunAs,
  makeRun,
  tempDir,
  textOf,
} from "./helpers.js"

const fixture = (name: string) => Path.join(import.meta.dirname, "fixtures", name)

describe.each(CONSUMPTIONS)("runTask with a handler (%s)", (mode) => {
  const collect = (run: TaskRun, options: RunTaskOptions) => collectAs(run, options, mode)
  const forkRun = (run: TaskRun, options: RunTaskOptions) => forkRunAs(run, options, mode)

  it.scoped("noop succeeds at once and creates no directory or file at all", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const run = makeRun({ handler: "noop", script: "exit 1" })
      const { events, result } = yield* collect(run, { workingDir, timeout: "1 hour" })
      expect(events.map((event) => event._tag)).toEqual(["TaskStarted", "TaskFinished"])
      expect(events[0]).toMatchObject({
        kind: "handler",
        pid: null,
        workingDir: attemptDirectory(workingDir, run),
      })
      expect(result.outcome).toBe("succeeded")
      expect(result.exitCode).toBeNull()
      expect(result.workingDir).toBe(attemptDirectory(workingDir, run))
      expect(Fs.readdirSync(workingDir)).toEqual([])
    }),
  )

  it.scoped("sleep waits for its input on the TestClock", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const { fiber } = yield* forkRun(makeRun({ handler: "sleep", inputs: { ms: "500" } }), { workingDir })
      yield* awaitSleeps(1)
      yield* TestClock.adjust("499 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 milli")
      const { result } = yield* Fiber.join(fiber)
      expect(result.outcome).toBe("succeeded")
      expect(result.durationMs).toBe(500)
    }),
  )

  it.scoped("a HandlerError becomes a failed result with its message", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const { result } = yield* collect(makeRun({ handler: "sleep", inputs: { ms: "soon" } }), { workingDir })
      expect(result.outcome).toBe("failed")
      expect(result.message).toBe(
        'handler "sleep" failed: sleep: input "ms" must be a non-negative integer, got soon',
      )
    }),
  )

  it.scoped("a handler that throws is reported as died, not crashing the worker", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const handlers = TaskHandlers.make({
        explode: () => {
          throw new Error("kaboom")
        },
      })
      const { result } = yield* collect(makeRun({ handler: "explode" }), { workingDir, handlers })
      expect(result.outcome).toBe("failed")
      expect(result.message).toMatch(/^handler "explode" died: .*kaboom/s)
    }),
  )

  it.scoped("logs, outputs and metadata of a handler reach the result, the stream and stdout.log", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const handlers = TaskHandlers.make({
        write: (context) =>
          Effect.gen(function* () {
            yield* context.log(`writing ${context.inputs.N}`)
            yield* context.log("warning", "stderr")
            const target = context.outputs.OUT
            if (target === undefined) return yield* new HandlerError({ message: "no OUT" })
            Fs.writeFileSync(target, "data")
            return { metadata: { rows: context.inputs.N ?? "" } }
          }),
      })
      const run = makeRun({ handler: "write", inputs: { N: "7" }, outputs: { OUT: "out.bin" } })
      const { chunks, result } = yield* collect(run, { workingDir, handlers })
      expect(result.outcome).toBe("succeeded")
      expect(result.metadata).toEqual({ rows: "7" })
      expect(result.outputs.map((file) => [file.name, file.size])).toEqual([["OUT", 4]])
      expect(textOf(chunks, "stdout")).toBe("writing 7\n")
      expect(textOf(chunks, "stderr")).toBe("warning\n")
      expect(Fs.readFileSync(Path.join(result.workingDir, "stdout.log"), "utf8")).toBe("writing 7\n")
    }),
  )

  it.scoped("a timeout interrupts the handler fiber and runs its finalizers", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const released = yield* Ref.make(false)
      const handlers = TaskHandlers.make({
        hang: () => Effect.never.pipe(Effect.ensuring(Ref.set(released, true))),
      })
      const { fiber } = yield* forkRun(makeRun({ handler: "hang", timeoutSeconds: 5 }), {
        workingDir,
        handlers,
      })
      yield* awaitSleeps(1)
      yield* TestClock.adjust("5 seconds")
      const { result } = yield* Fiber.join(fiber)
      expect(result.outcome).toBe("timedOut")
      expect(result.message).toBe('timed out after 5s; handler "hang" interrupted')
      expect(yield* Ref.get(released)).toBe(true)
    }),
  )

  it.scoped("the worker's default timeout applies when the run has none", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const run = makeRun({ handler: "sleep", inputs: { ms: "60000" } })
      const { fiber } = yield* forkRun(run, { workingDir, timeout: "2 seconds" })
      yield* awaitSleeps(2)
      yield* TestClock.adjust("2 seconds")
      const { result } = yield* Fiber.join(fiber)
      expect(result.outcome).toBe("timedOut")
      expect(result.durationMs).toBe(2_000)
    }),
  )

  it.scoped("cancel interrupts the handler", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const cancel = yield* Deferred.make<void>()
      const run = makeRun({ handler: "sleep", inputs: { ms: "60000" } })
      const { fiber } = yield* forkRun(run, { workingDir, cancel: Deferred.await(cancel) })
      yield* Deferred.succeed(cancel, undefined)
      const { result } = yield* Fiber.join(fiber)
      expect(result.outcome).toBe("canceled")
      expect(result.canceled).toBe(true)
    }),
  )

  it.scoped("an unknown handler fails with UnknownHandler listing the registered ones", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const error = yield* Effect.flip(collect(makeRun({ handler: "missing" }), { workingDir }))
      expect(error._tag).toBe("UnknownHandler")
      expect(error.message).toBe('no task handler named "missing" (registered: noop, sleep)')
    }),
  )

  it.scoped("a run with neither script nor handler fails with InvalidTaskRun", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const error = yield* Effect.flip(collect(makeRun({}), { workingDir }))
      expect(error._tag).toBe("InvalidTaskRun")
      expect(error.code).toBe("INVALID_TASK_RUN")
    }),
  )

  it.scoped("a handler reading workingDir gets it created empty", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      let seen: ReadonlyArray<string> | undefined
      const handlers = TaskHandlers.make({
        look: (context) =>
          Effect.sync(() => {
            seen = Fs.readdirSync(context.workingDir)
          }),
      })
      const { result } = yield* collect(makeRun({ handler: "look" }), { workingDir, handlers })
      expect(result.outcome).toBe("succeeded")
      expect(seen).toEqual([])
      expect(Fs.statSync(result.workingDir).isDirectory()).toBe(true)
    }),
  )

  it.scoped("the environment names the attempt directory, which then exists", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      let workdir: string | undefined
      const handlers = TaskHandlers.make({
        env: (context) =>
          Effect.sync(() => {
            workdir = context.environment.AIRAVATA_WORKDIR
          }),
      })
      const { result } = yield* collect(makeRun({ handler: "env" }), { workingDir, handlers })
      expect(workdir).toBe(result.workingDir)
      expect(Fs.statSync(result.workingDir).isDirectory()).toBe(true)
    }),
  )

  it.scoped(
    "declared outputs: the directory exists before the handler runs; unwritten ones are missing",
    () =>
      Effect.gen(function* () {
        const workingDir = yield* tempDir
        let existed: boolean | undefined
        const handlers = TaskHandlers.make({
          // Looks at the output's directory without reading workingDir, which would create it.
          check: (context) =>
            Effect.sync(() => {
              existed = Fs.existsSync(Path.dirname(context.outputs.OUT ?? "/nonexistent/x"))
            }),
        })
        const run = makeRun({ handler: "check", outputs: { OUT: "out.txt" } })
        const { result } = yield* collect(run, { workingDir, handlers })
        expect(existed).toBe(true)
        expect(result.outcome).toBe("succeeded")
        expect(result.outputs).toEqual([])
        expect(result.missingOutputs).toEqual(["OUT"])
      }),
  )

  it.scoped("a handler that only logs to stdout gets stdout.log and no stderr.log", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const handlers = TaskHandlers.make({ say: (context) => context.log("hi") })
      const { chunks, result } = yield* collect(makeRun({ handler: "say" }), { workingDir, handlers })
      expect(textOf(chunks, "stdout")).toBe("hi\n")
      expect(Fs.readdirSync(result.workingDir)).toEqual(["stdout.log"])
      expect(Fs.readFileSync(Path.join(result.workingDir, "stdout.log"), "utf8")).toBe("hi\n")
    }),
  )

  it.scoped(
    "leftovers of an earlier run of the same attempt are removed even if the handler uses nothing",
    () =>
      Effect.gen(function* () {
        const workingDir = yield* tempDir
        const run = makeRun({ handler: "noop" })
        const stale = attemptDirectory(workingDir, run)
        Fs.mkdirSync(stale, { recursive: true })
        Fs.writeFileSync(Path.join(stale, "stdout.log"), "from a run that crashed")
        yield* collect(run, { workingDir })
        expect(Fs.existsSync(stale)).toBe(false)
      }),
  )

  it.scoped("leftovers of a run of the same attempt in this very process are removed too", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      // The experiment's directory is seen absent first, then this process creates it.
      yield* collect(makeRun({ taskId: "other", key: "other[0]", handler: "noop" }), { workingDir })
      const handlers = TaskHandlers.make({
        write: (context) => Effect.sync(() => Fs.writeFileSync(Path.join(context.workingDir, "x"), "x")),
      })
      const { result } = yield* collect(makeRun({ handler: "write" }), { workingDir, handlers })
      expect(Fs.readdirSync(result.workingDir)).toEqual(["x"])
      yield* collect(makeRun({ handler: "noop" }), { workingDir })
      expect(Fs.existsSync(result.workingDir)).toBe(false)
    }),
  )

  it.scoped("a handler that finishes before its timeout succeeds", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const run = makeRun({ handler: "sleep", inputs: { ms: "500" }, timeoutSeconds: 5 })
      const { fiber } = yield* forkRun(run, { workingDir })
      yield* awaitSleeps(2)
      yield* TestClock.adjust("500 millis")
      const { result } = yield* Fiber.join(fiber)
      expect(result.outcome).toBe("succeeded")
      expect(result.durationMs).toBe(500)
    }),
  )

  it.scoped("a failing consumer stops the handler and fails with its error", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const released = yield* Ref.make(false)
      const handlers = TaskHandlers.make({
        hang: () => Effect.never.pipe(Effect.ensuring(Ref.set(released, true))),
      })
      const error = yield* Effect.flip(
        consume(makeRun({ handler: "hang" }), { workingDir, handlers }, mode, (event) =>
          event._tag === "TaskStarted" ? Effect.fail("consumer broke" as const) : Effect.void,
        ),
      )
      expect(error).toBe("consumer broke")
      expect(yield* Ref.get(released)).toBe(true)
    }),
  )

  it.scoped("interrupting the consumer interrupts the handler before the interruption returns", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const started = yield* Deferred.make<void>()
      const released = yield* Ref.make(false)
      const handlers = TaskHandlers.make({
        hang: () =>
          Deferred.succeed(started, undefined).pipe(
            Effect.zipRight(Effect.never),
            Effect.ensuring(Ref.set(released, true)),
          ),
      })
      const { fiber } = yield* forkRun(makeRun({ handler: "hang" }), { workingDir, handlers })
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(released)).toBe(true)
    }),
  )
})

describe("loadHandlerModule", () => {
  it.scoped("loads a module's handlers and runs them merged with the built-ins", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const loaded = yield* loadHandlerModule(fixture("goodHandlers.ts"))
      const handlers = TaskHandlers.builtin.merge(loaded)
      expect(handlers.names).toEqual(["greet", "noop", "sleep"])
      const run = makeRun({ handler: "greet", inputs: { NAME: "ada" } })
      const { chunks, result } = yield* collectAs(run, { workingDir, handlers })
      expect(result.metadata).toEqual({ greeted: "ada" })
      expect(textOf(chunks, "stdout")).toBe("hello ada\n")
    }),
  )

  it.effect("rejects a default export that is not a record of functions, naming the path", () =>
    Effect.gen(function* () {
      const path = fixture("notARecord.ts")
      const error = yield* Effect.flip(loadHandlerModule(path))
      expect(error._tag).toBe("HandlerModuleError")
      expect(error.path).toBe(path)
      expect(error.message).toContain(`cannot load task handlers from ${path}`)
      expect(error.reason).toContain('["greet"]')
    }),
  )

  it.effect("reports a module that throws on import or does not exist", () =>
    Effect.gen(function* () {
      const throwing = yield* Effect.flip(loadHandlerModule(fixture("throwsOnImport.ts")))
      expect(throwing.reason).toContain("boom at import")
      const missing = yield* Effect.flip(loadHandlerModule(fixture("doesNotExist.ts")))
      expect(missing.code).toBe("HANDLER_MODULE_INVALID")
      expect(missing.path).toBe(fixture("doesNotExist.ts"))
    }),
  )

  it.scoped("a loaded handler that returns no Effect fails the attempt, not the worker", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const handlers = yield* loadHandlerModule(fixture("notAnEffect.ts"))
      const { result } = yield* collectAs(makeRun({ handler: "plain" }), { workingDir, handlers })
      expect(result.outcome).toBe("failed")
      expect(result.message).toContain('handler "plain" did not return an Effect')
    }),
  )
})
