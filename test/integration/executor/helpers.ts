/** Shared helpers for the executor's integration tests (real bash processes, temporary directories). */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Chunk, Clock, Deferred, Effect, Schema, Stream, TestClock } from "effect"
import { type RunTaskOptions, runTask, runTaskForEach } from "../../../src/worker/executor/runTask.js"
import type { OutputChunk, TaskEvent, TaskResult } from "../../../src/worker/executor/TaskEvent.js"
import { TaskRun } from "../../../src/worker/executor/TaskRun.js"

/** A temporary working directory, removed with the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "executor-test-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })),
)

export const makeRun = (fields: Partial<typeof TaskRun.Encoded> = {}): TaskRun =>
  Schema.decodeUnknownSync(TaskRun)({
    taskId: "task-1",
    experimentId: "exp-1",
    key: "step[0]",
    attempt: 1,
    inputs: {},
    outputs: {},
    environment: {},
    ...fields,
  })

export interface Collected {
  readonly events: ReadonlyArray<TaskEvent>
  readonly chunks: ReadonlyArray<OutputChunk>
  readonly result: TaskResult
}

export const summarize = (events: ReadonlyArray<TaskEvent>): Collected => {
  const finished = events.at(-1)
  if (finished?._tag !== "TaskFinished")
    throw new Error(`stream did not end with TaskFinished: ${finished?._tag}`)
  const chunks = events.flatMap((event) => (event._tag === "TaskOutput" ? [event.chunk] : []))
  return { events, chunks, result: finished.result }
}

export const textOf = (chunks: ReadonlyArray<OutputChunk>, stream: "stdout" | "stderr") =>
  chunks
    .filter((chunk) => chunk.stream === stream)
    .map((chunk) => chunk.data)
    .join("")

/**
 * How a test consumes the attempt: `runTask`'s Stream, or `runTaskForEach` (what the worker uses).
 * Both must give the same events in the same order.
 */
export type Consumption = "stream" | "forEach"
export const CONSUMPTIONS: ReadonlyArray<Consumption> = ["stream", "forEach"]

export const consume = <E>(
  run: TaskRun,
  options: RunTaskOptions,
  mode: Consumption,
  f: (event: TaskEvent) => Effect.Effect<void, E>,
) => (mode === "stream" ? Stream.runForEach(runTask(run, options), f) : runTaskForEach(run, options, f))

/** Runs the attempt to completion and collects every event. */
export const collect = (run: TaskRun, options: RunTaskOptions, mode: Consumption = "stream") =>
  Effect.suspend(() => {
    const events: Array<TaskEvent> = []
    return consume(run, options, mode, (event) => Effect.sync(() => events.push(event))).pipe(
      Effect.map(() => summarize(events)),
    )
  })

/**
 * Forks the attempt; `seen(pattern)` completes once the attempt's stdout so far matches `pattern`
 * and yields the match, so a test can act at a known point of the script.
 */
export const forkRun = (run: TaskRun, options: RunTaskOptions, mode: Consumption = "stream") =>
  Effect.gen(function* () {
    const watchers: Array<{ pattern: RegExp; deferred: Deferred.Deferred<RegExpMatchArray> }> = []
    let stdout = ""
    const events: Array<TaskEvent> = []
    const fiber = yield* consume(run, options, mode, (event) =>
      Effect.gen(function* () {
        events.push(event)
        if (event._tag !== "TaskOutput" || event.chunk.stream !== "stdout") return
        stdout += event.chunk.data
        for (const watcher of watchers) {
          const match = stdout.match(watcher.pattern)
          if (match !== null) yield* Deferred.succeed(watcher.deferred, match)
        }
      }),
    ).pipe(
      Effect.map(() => summarize(events)),
      Effect.fork,
    )
    const seen = (pattern: RegExp) =>
      Effect.gen(function* () {
        const deferred = yield* Deferred.make<RegExpMatchArray>()
        watchers.push({ pattern, deferred })
        const match = stdout.match(pattern)
        if (match !== null) yield* Deferred.succeed(deferred, match)
        return yield* Deferred.await(deferred)
      })
    return { fiber, seen }
  })

/** Waits until at least `n` sleeps are registered with the TestClock, so that `adjust` reaches them. */
export const awaitSleeps = (n: number): Effect.Effect<void> =>
  TestClock.sleeps().pipe(
    Effect.flatMap((sleeps) =>
      Chunk.size(sleeps) >= n ? Effect.void : Effect.zipRight(Effect.yieldNow(), awaitSleeps(n)),
    ),
  )

/** Whether `pid` is a live process: absent or zombie (exited, not yet reaped) counts as gone. */
export const isAlive = (pid: number): boolean => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3)
    return state !== "Z" && state !== "X"
  } catch {
    return false
  }
}

/**
 * Whether `pid` is gone (as `isAlive` judges) within `withinMs` of real time. A killed process has
 * already closed its pipes while it finishes exiting, and on busy cores it may be seen for a moment
 * before it turns into a zombie; the OS decides that moment, so it is waited for on the live clock.
 */
export const goneWithin = (pid: number, withinMs = 1000): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    for (let waited = 0; waited < withinMs; waited += 5) {
      if (!isAlive(pid)) return true
      yield* Effect.sleep("5 millis")
    }
    return !isAlive(pid)
  }).pipe(Effect.withClock(Clock.make()))
