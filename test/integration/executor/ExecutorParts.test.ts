import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Fiber, Schema, Stream } from "effect"
import { sanitizeSegment } from "../../../src/worker/executor/TaskDirectory.js"
import { taskEnvironment } from "../../../src/worker/executor/TaskEnvironment.js"
import { TaskExecutor } from "../../../src/worker/executor/TaskExecutor.js"
import { TaskRun } from "../../../src/worker/executor/TaskRun.js"
import { splitUtf8 } from "../../../src/worker/executor/Utf8Chunks.js"
import { makeRun, summarize, tempDir } from "./helpers.js"

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
})
