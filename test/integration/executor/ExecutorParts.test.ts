import * as Path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Fiber, Schema, Stream } from "effect"
import { attemptDirectory, sanitizeSegment } from "../../../src/worker/executor/TaskDirectory.js"
import { taskEnvironment } from "../../../src/worker/executor/TaskEnvironment.js"
import type { TaskEvent } from "../../../src/worker/executor/TaskEvent.js"
import { TaskExecutor } from "../../../src/worker/executor/TaskExecutor.js"
import { TaskRun } from "../../../src/worker/executor/TaskRun.js"
import { splitUtf8 } from "../../../src/worker/executor/Utf8Chunks.js"
import { type Collected, collect, makeRun, summarize, tempDir, textOf } from "./helpers.js"

describe("splitUtf8", () => {
  it("never exceeds the byte limit nor splits a code point", () => {
    const text = "a€😀é".repeat(50)
    for (const limit of [4, 5, 7, 64]) {
      const pieces = splitUtf8(text, limit)
      expect(pieces.map((piece) => piece.text).join("")).toBe(text)
      for (const piece of pieces) {
        expect(piece.bytes).toBe(Buffer.byteLength(piece.text))
        expect(piece.bytes).toBeLessThanOrEqual(limit)
        expect(Buffer.from(piece.text).toString()).toBe(piece.text)
        expect(piece.text).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/)
      }
    }
  })

  it("keeps short text whole", () => {
    expect(splitUtf8("hello", 64)).toEqual([{ text: "hello", bytes: 5 }])
    expect(splitUtf8("", 64)).toEqual([])
  })
})

describe("sanitizeSegment", () => {
  it("keeps safe names and disambiguates rewritten ones", () => {
    expect(sanitizeSegment("exp-1.a_b")).toBe("exp-1.a_b")
    expect(sanitizeSegment("step[0]")).toMatch(/^step_0_-[0-9a-f]{8}$/)
    expect(sanitizeSegment("a/b")).not.toBe(sanitizeSegment("a b"))
    expect(sanitizeSegment("..")).not.toBe("..")
    expect(sanitizeSegment("x".repeat(300)).length).toBeLessThanOrEqual(109)
  })
})

describe("attemptDirectory", () => {
  it("is <workingDir>/<experiment>/<key>/attempt-<n>, resolved as Path.resolve would", () => {
    for (const workingDir of ["/tmp/work", "/tmp/work/", "relative/work", "/"]) {
      for (const [experimentId, key] of [
        ["exp_1", "step[0]"],
        ["a/b", ".."],
        ["..", "."],
        ["e", "x".repeat(300)],
        ["e", "..."],
      ] as const) {
        const run = makeRun({ experimentId, key, attempt: 3 })
        // Twice: the second answer comes from what the first one remembered.
        for (let i = 0; i < 2; i++) {
          expect(attemptDirectory(workingDir, run)).toBe(
            Path.resolve(workingDir, sanitizeSegment(experimentId), sanitizeSegment(key), "attempt-3"),
          )
        }
      }
    }
  })
})

describe("taskEnvironment", () => {
  it("inherits only the allowed variables and lets AIRAVATA_* win", () => {
    const run = makeRun({
      inputs: { SHARED: "input", AIRAVATA_ATTEMPT: "forged" },
      environment: { SHARED: "env", PATH: "/opt/bin" },
      outputs: { OUT: "out.txt" },
    })
    const env = taskEnvironment(run, "/work/dir", { PATH: "/usr/bin", HOME: "/home/u", SECRET_TOKEN: "x" })
    expect(env).toEqual({
      PATH: "/opt/bin",
      HOME: "/home/u",
      SHARED: "input",
      OUT: "out.txt",
      AIRAVATA_TASK_ID: "task-1",
      AIRAVATA_TASK_KEY: "step[0]",
      AIRAVATA_EXPERIMENT_ID: "exp-1",
      AIRAVATA_ATTEMPT: "1",
      AIRAVATA_WORKDIR: "/work/dir",
    })
  })
})

describe("TaskRun", () => {
  it("rejects environment names the OS cannot carry", () => {
    const decode = Schema.decodeUnknownEither(TaskRun)
    const base = { taskId: "t", experimentId: "e", key: "k", attempt: 1, outputs: {}, environment: {} }
    expect(Either.isRight(decode({ ...base, inputs: { OK: "1" } }))).toBe(true)
    expect(Either.isLeft(decode({ ...base, inputs: { "A=B": "1" } }))).toBe(true)
    expect(Either.isLeft(decode({ ...base, inputs: { A: "nul\0" } }))).toBe(true)
  })
})

describe("TaskExecutor", () => {
  it.scoped("runs attempts with the layer's configuration and a per-run cancel", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const cancel = yield* Deferred.make<void>()
      const fiber = yield* TaskExecutor.pipe(
        Effect.flatMap((executor) =>
          executor
            .run(makeRun({ handler: "sleep", inputs: { ms: "60000" } }), { cancel: Deferred.await(cancel) })
            .pipe(Stream.runCollect),
        ),
        Effect.provide(TaskExecutor.layer({ workingDir, graceMs: 1_000 })),
        Effect.fork,
      )
      yield* Deferred.succeed(cancel, undefined)
      const { result } = summarize(Chunk.toArray(yield* Fiber.join(fiber)))
      expect(result.outcome).toBe("canceled")
      expect(result.workingDir.startsWith(workingDir)).toBe(true)
    }),
  )

  it.scoped("runForEach applies the layer's configuration and a per-run cancel", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const cancel = yield* Deferred.make<void>()
      const events: Array<TaskEvent> = []
      const fiber = yield* TaskExecutor.pipe(
        Effect.flatMap((executor) =>
          executor.runForEach(
            makeRun({ handler: "sleep", inputs: { ms: "60000" } }),
            (event) => Effect.sync(() => events.push(event)),
            { cancel: Deferred.await(cancel) },
          ),
        ),
        Effect.provide(TaskExecutor.layer({ workingDir, graceMs: 1_000, timeout: "1 hour" })),
        Effect.fork,
      )
      yield* Deferred.succeed(cancel, undefined)
      yield* Fiber.join(fiber)
      const { result } = summarize(events)
      expect(result.outcome).toBe("canceled")
      expect(result.workingDir.startsWith(workingDir)).toBe(true)
    }),
  )

  it.scoped("runForEach gives a script's events exactly as the Stream does", () =>
    Effect.gen(function* () {
      const run = makeRun({
        script: "echo one; echo two >&2; printf x > out.txt; echo three",
        outputs: { OUT: "out.txt" },
      })
      // One directory per consumption, so the two runs do not share an attempt directory.
      const viaStream = yield* collect(run, { workingDir: yield* tempDir }, "stream")
      const viaForEach = yield* collect(run, { workingDir: yield* tempDir }, "forEach")
      // Chunk boundaries depend on timing; what each stream carries, and the order of events, do not.
      const shape = ({ events, chunks, result }: Collected) => ({
        first: events[0]?._tag,
        last: events.at(-1)?._tag,
        stdout: textOf(chunks, "stdout"),
        stderr: textOf(chunks, "stderr"),
        outcome: result.outcome,
        outputs: result.outputs.map((file) => [file.name, file.size, file.sha256]),
      })
      expect(shape(viaForEach)).toEqual(shape(viaStream))
      expect(shape(viaForEach)).toMatchObject({
        first: "TaskStarted",
        stdout: "one\nthree\n",
        stderr: "two\n",
      })
      expect(viaForEach.result.outputs.map((file) => file.name)).toEqual(["OUT"])
      expect(viaForEach.chunks.map((chunk) => chunk.seq)).toEqual(viaForEach.chunks.map((_, i) => i))
    }),
  )
})
