import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, TestClock } from "effect"
import type { RunTaskOptions } from "../../../src/worker/executor/runTask.js"
import { attemptDirectory } from "../../../src/worker/executor/TaskDirectory.js"
import { MAX_CHUNK_BYTES } from "../../../src/worker/executor/TaskEvent.js"
import type { TaskRun } from "../../../src/worker/executor/TaskRun.js"
import {
  awaitSleeps,
  CONSUMPTIONS,
  collect,
  forkRun as forkRunAs,
  goneWithin,
  isAlive,
  makeRun,
  tempDir,
  textOf,
} from "./helpers.js"

describe("runTask with a script", () => {
  it.scoped(
    "passes inputs, outputs, environment and AIRAVATA_* variables and lists outputs with sha-256",
    () =>
      Effect.gen(function* () {
        const workingDir = yield* tempDir
        const run = makeRun({
          script: [
            'echo "$MESSAGE $COUNT $EXTRA" > "$RESULT"',
            'echo "$AIRAVATA_TASK_ID|$AIRAVATA_TASK_KEY|$AIRAVATA_ATTEMPT|$AIRAVATA_WORKDIR|$(pwd)"',
            "printenv VITEST || echo VITEST unset",
            'echo "to stderr" >&2',
          ].join("\n"),
          inputs: { MESSAGE: "hello world", COUNT: "3" },
          outputs: { RESULT: "result.txt", NEVER: "never.txt" },
          environment: { EXTRA: "extra" },
          attempt: 2,
        })
        const { events, chunks, result } = yield* collect(run, { workingDir })
        const dir = attemptDirectory(workingDir, run)

        expect(events[0]).toMatchObject({ _tag: "TaskStarted", kind: "script", workingDir: dir })
        expect(result.outcome).toBe("succeeded")
        expect(result.exitCode).toBe(0)
        expect(result.signal).toBeNull()
        expect(dir).toMatch(/exp-1\/step_0_-[0-9a-f]{8}\/attempt-2$/)
        // The worker's own environment (vitest sets VITEST) does not leak into the script.
        expect(process.env.VITEST).toBeDefined()
        expect(textOf(chunks, "stdout")).toBe(`task-1|step[0]|2|${dir}|${dir}\nVITEST unset\n`)
        expect(textOf(chunks, "stderr")).toBe("to stderr\n")
        expect(Fs.readFileSync(Path.join(dir, "stdout.log"), "utf8")).toBe(textOf(chunks, "stdout"))
        expect(Fs.readFileSync(Path.join(dir, "stderr.log"), "utf8")).toBe("to stderr\n")

        const content = "hello world 3 extra\n"
        expect(result.outputs).toEqual([
          expect.objectContaining({
            name: "RESULT",
            path: Path.join(dir, "result.txt"),
            size: Buffer.byteLength(content),
            sha256: createHash("sha256").update(content).digest("hex"),
          }),
        ])
        expect(result.missingOutputs).toEqual(["NEVER"])
      }),
  )

  it.scoped("reports a non-zero exit as failed with its code", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const { result } = yield* collect(makeRun({ script: "echo partial\nexit 3" }), { workingDir })
      expect(result.outcome).toBe("failed")
      expect(result.exitCode).toBe(3)
      expect(result.message).toBe("exited with code 3")
      expect(result.succeeded).toBe(false)
    }),
  )

  it.scoped("does not let a declared output escape the attempt directory", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      Fs.writeFileSync(Path.join(workingDir, "outside.txt"), "secret")
      const run = makeRun({ script: "true", outputs: { LEAK: "../../../outside.txt" } })
      const { result } = yield* collect(run, { workingDir })
      expect(result.outputs).toEqual([])
      expect(result.missingOutputs).toEqual(["LEAK"])
    }),
  )

  it.scoped("streams stdout and stderr in order, numbered across both streams", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const script = 'for i in $(seq 1 3000); do echo "out $i"; echo "err $i" >&2; done'
      const { chunks } = yield* collect(makeRun({ script }), { workingDir })
      const expected = (tag: string) => Array.from({ length: 3000 }, (_, i) => `${tag} ${i + 1}\n`).join("")
      expect(textOf(chunks, "stdout")).toBe(expected("out"))
      expect(textOf(chunks, "stderr")).toBe(expected("err"))
      expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_, i) => i))
    }),
  )

  it.scoped("bounds chunks to 64 KiB of UTF-8 without splitting characters (1 MB of output)", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const line = "aé€😀".repeat(10)
      // ~1.1 MB of multi-byte text written in large bursts.
      const script = `l='${line}'; for i in $(seq 1 10000); do printf '%s\\n' "$l"; done`
      const { chunks, result } = yield* collect(makeRun({ script }), { workingDir })
      const expected = `${line}\n`.repeat(10000)
      expect(Buffer.byteLength(expected)).toBeGreaterThan(1_000_000)
      expect(chunks.length).toBeGreaterThan(16)
      for (const chunk of chunks) {
        expect(Buffer.byteLength(chunk.data)).toBeLessThanOrEqual(MAX_CHUNK_BYTES)
        expect(chunk.data).not.toContain("\uFFFD")
      }
      expect(textOf(chunks, "stdout")).toBe(expected)
      expect(Fs.readFileSync(Path.join(result.workingDir, "stdout.log"), "utf8")).toBe(expected)
    }),
  )

  it.scoped("kills background children left behind by a script that exits 0", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const script = 'sleep 1000 &\necho "child $!"'
      const { chunks, result } = yield* collect(makeRun({ script }), { workingDir })
      const pid = Number(textOf(chunks, "stdout").match(/child (\d+)/)?.[1])
      expect(result.outcome).toBe("succeeded")
      expect(yield* goneWithin(pid)).toBe(true)
    }),
  )

  it.scoped("fails with TaskWorkdirError when the working directory cannot be created", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = Path.join(dir, "a-file")
      Fs.writeFileSync(file, "")
      const error = yield* Effect.flip(collect(makeRun({ script: "true" }), { workingDir: file }))
      expect(error._tag).toBe("TaskWorkdirError")
      expect(error.code).toBe("TASK_WORKDIR_FAILED")
    }),
  )
})

describe.each(CONSUMPTIONS)("runTask timeout and cancellation (%s)", (mode) => {
  const forkRun = (run: TaskRun, options: RunTaskOptions) => forkRunAs(run, options, mode)

  it.scoped("times out on the TestClock and kills the whole process group", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const run = makeRun({ script: 'sleep 1000 &\necho "child $!"\nwait', timeoutSeconds: 30 })
      const { fiber, seen } = yield* forkRun(run, { workingDir })
      const pid = Number((yield* seen(/child (\d+)/))[1])
      expect(isAlive(pid)).toBe(true)
      yield* awaitSleeps(1)
      yield* TestClock.adjust("29 seconds")
      expect(isAlive(pid)).toBe(true)
      yield* TestClock.adjust("1 second")
      const { result } = yield* Fiber.join(fiber)
      expect(result.outcome).toBe("timedOut")
      expect(result.timedOut).toBe(true)
      expect(result.signal).toBe("SIGTERM")
      expect(result.durationMs).toBe(30_000)
      expect(result.message).toBe("timed out after 30s; stopped by SIGTERM")
      expect(yield* goneWithin(pid)).toBe(true)
    }),
  )

  it.scoped("cancel sends SIGTERM; a script trapping TERM exits cleanly within the grace period", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const cancel = yield* Deferred.make<void>()
      const script = "trap 'echo cleaned up; exit 0' TERM\nsleep 1000 &\necho \"child $!\"\nwait"
      const { fiber, seen } = yield* forkRun(makeRun({ script }), {
        workingDir,
        cancel: Deferred.await(cancel),
      })
      const pid = Number((yield* seen(/child (\d+)/))[1])
      yield* Deferred.succeed(cancel, undefined)
      // The TestClock never moves: the attempt must finish without the grace period elapsing.
      const { chunks, result } = yield* Fiber.join(fiber)
      expect(result.outcome).toBe("canceled")
      expect(result.canceled).toBe(true)
      expect(result.exitCode).toBe(0)
      expect(result.message).toBe("canceled; stopped by SIGTERM")
      expect(textOf(chunks, "stdout")).toContain("cleaned up\n")
      expect(yield* goneWithin(pid)).toBe(true)
    }),
  )

  it.scoped("a script ignoring SIGTERM gets SIGKILL once the grace period has passed", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const cancel = yield* Deferred.make<void>()
      const script = [
        "trap 'echo got-term' TERM",
        // The child reports once it ignores TERM, so the test never signals it before that.
        "(trap '' TERM; echo immune; exec sleep 1000) &",
        'child=$!; echo "child $child"',
        'while kill -0 "$child" 2>/dev/null; do wait "$child"; done',
      ].join("\n")
      const { fiber, seen } = yield* forkRun(makeRun({ script }), {
        workingDir,
        graceMs: 5_000,
        cancel: Deferred.await(cancel),
      })
      const pid = Number((yield* seen(/child (\d+)/))[1])
      yield* seen(/immune/)
      yield* Deferred.succeed(cancel, undefined)
      yield* seen(/got-term/)
      yield* awaitSleeps(1)
      yield* TestClock.adjust("4999 millis")
      expect(isAlive(pid)).toBe(true)
      yield* TestClock.adjust("1 milli")
      const { result } = yield* Fiber.join(fiber)
      expect(result.outcome).toBe("canceled")
      expect(result.signal).toBe("SIGKILL")
      expect(result.message).toBe("canceled; killed with SIGKILL after a 5s grace period")
      expect(yield* goneWithin(pid)).toBe(true)
    }),
  )

  it.scoped("interrupting the consumer stops the process group before the interruption returns", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      const { fiber, seen } = yield* forkRun(makeRun({ script: 'sleep 1000 &\necho "child $!"\nwait' }), {
        workingDir,
      })
      const pid = Number((yield* seen(/child (\d+)/))[1])
      expect(isAlive(pid)).toBe(true)
      yield* Fiber.interrupt(fiber)
      expect(yield* goneWithin(pid)).toBe(true)
    }),
  )
})
