/**
 * Open experiments through the CLI (`submit --open`, `experiment add`, `experiment close`), run as a
 * user runs them on the built dist/: the whole lifecycle on an embedded data directory and on
 * PostgreSQL, and the added tasks executed by a `server` and a `worker` process on PostgreSQL (a
 * data directory is held by one process at a time, so nothing can add to it while it runs tasks).
 */
import { randomBytes } from "node:crypto"
import { Command, FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Deferred, Effect, Schema, Stream } from "effect"
import { scratchDatabase } from "../scratchDatabase.js"
import { json, projectRoot, runOn, type Target } from "./cli.js"

const run = runOn

const SPEC = "test/fixtures/open/echo.yaml"

const Submitted = Schema.Struct({ id: Schema.String, total: Schema.Number, open: Schema.Boolean })
const Added = Schema.Struct({ taskIds: Schema.Array(Schema.String), keys: Schema.Array(Schema.String) })
const StatusView = Schema.Struct({
  id: Schema.String,
  status: Schema.String,
  open: Schema.Boolean,
  totalTasks: Schema.Number,
  completedTasks: Schema.Number,
  completedAt: Schema.NullOr(Schema.String),
  taskCounts: Schema.Record({ key: Schema.String, value: Schema.Number }),
})
const TasksView = Schema.Struct({
  tasks: Schema.Array(Schema.Struct({ id: Schema.String, key: Schema.String, status: Schema.String })),
})

const onlyCounts = (counts: Record<string, number>) => Object.entries(counts).filter(([, n]) => n > 0)
const taskId = /^[0-9a-f-]{36}$/

/** submit --open → add (flags, file) → the refusals → close; and an empty one closed at once. */
const lifecycle = (target: Target, dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path

    const submitted = yield* run(target, "submit", SPEC, "--open")
    expect(submitted.exitCode).toBe(0)
    const id = submitted.stdout.trim()
    expect(submitted.stderr).toContain("submitted open-echo: open, EXECUTING; add instances of its tasks")
    expect(submitted.stderr).toContain(`airavata experiment add ${id} TASK --input NAME=VALUE`)
    const empty = yield* json(StatusView, target, "experiment", "status", id)
    expect([empty.status, empty.open, empty.totalTasks]).toEqual(["EXECUTING", true, 0])

    // A value may contain `=`: everything after the first one is the value.
    const first = yield* run(target, "experiment", "add", id, "echo", "--input", "X=a=b")
    expect(first.exitCode).toBe(0)
    expect(first.stderr).toMatch(new RegExp(`^added 1 task\\(s\\) to experiment ${id}: echo\\[\\d+\\]\n$`))
    expect(first.stdout).toMatch(/^[0-9a-f-]{36}\n$/)
    const second = yield* json(Added, target, "experiment", "add", id, "echo", "--input", "X=second")
    expect(second.taskIds).toHaveLength(1)
    const added = [first.stdout.trim(), ...second.taskIds]

    const tasks = yield* json(TasksView, target, "experiment", "tasks", id)
    expect(tasks.tasks.map((t) => t.id)).toEqual(added)
    // The keys `add` names are those `experiment logs` takes.
    expect(tasks.tasks.map((t) => t.key)).toEqual([first.stderr.split(": ")[1]?.trim(), ...second.keys])
    expect(tasks.tasks.every((t) => t.status === "QUEUED" && /^echo\[\d+\]$/.test(t.key))).toBe(true)
    const two = yield* json(StatusView, target, "experiment", "status", id)
    expect([two.status, two.open, two.totalTasks]).toEqual(["EXECUTING", true, 2])
    expect(onlyCounts(two.taskCounts)).toEqual([["QUEUED", 2]])
    expect((yield* run(target, "experiment", "status", id)).stdout).toMatch(
      /^status {2,}EXECUTING \(open\)$/m,
    )
    expect((yield* run(target, "experiment", "list")).stdout).toMatch(
      new RegExp(`^${id} {2,}open-echo {2,}EXECUTING \\(open\\) {2,}2 `, "m"),
    )

    // Many at once: both line forms, a blank line, a JSON number, TASK as the default task.
    const lines = path.join(dir, "instances.jsonl")
    yield* fs.writeFileString(
      lines,
      '{"X": "one"}\n\n{"task": "greet", "inputs": {"WHO": "ada"}}\n{"X": 3}\n',
    )
    const many = yield* json(Added, target, "experiment", "add", id, "echo", "--inputs-file", lines)
    expect(many.taskIds).toHaveLength(3)
    expect(many.taskIds.every((t) => taskId.test(t))).toBe(true)
    const keys = (yield* json(TasksView, target, "experiment", "tasks", id)).tasks.map((t) => t.key)
    expect(keys.map((k) => k.replace(/\[\d+\]$/, ""))).toEqual(["echo", "echo", "echo", "greet", "echo"])

    // The user's mistakes exit with 2, say what was wrong and add nothing.
    const badLines = path.join(dir, "bad.jsonl")
    yield* fs.writeFileString(badLines, '{"X": "fine"}\n{"X": "fine too"}\n{"X": ["a list"]}\n')
    const badFile = yield* run(target, "experiment", "add", id, "echo", "--inputs-file", badLines)
    expect(badFile).toEqual({
      stdout: "",
      stderr: `${badLines}:3: X: expected a string, number or boolean\n`,
      exitCode: 2,
    })
    const unknownTask = yield* run(target, "experiment", "add", id, "nope", "--input", "X=1")
    expect(unknownTask.exitCode).toBe(2)
    expect(unknownTask.stderr).toBe(
      "TASK nope: expected a task of the experiment's spec: echo, greet, got nope\n",
    )
    const missing = yield* run(target, "experiment", "add", id, "echo")
    expect([missing.exitCode, missing.stderr]).toEqual([2, "--input X: expected a value: echo sweeps it\n"])
    const noEquals = yield* run(target, "experiment", "add", id, "echo", "--input", "X")
    expect(noEquals.exitCode).toBe(2)
    expect(noEquals.stderr).toContain('--input: expected NAME=VALUE, got "X"')
    expect((yield* json(StatusView, target, "experiment", "status", id)).totalTasks).toBe(5)

    // Closed, it takes no more tasks, and runs on until its tasks are done.
    expect(yield* run(target, "experiment", "close", id)).toEqual({
      stdout: `experiment ${id}: EXECUTING (closed, finishes after its 5 unfinished task(s))\n`,
      stderr: "",
      exitCode: 0,
    })
    const closed = yield* json(StatusView, target, "experiment", "status", id)
    expect([closed.status, closed.open, closed.totalTasks, closed.completedAt]).toEqual([
      "EXECUTING",
      false,
      5,
      null,
    ])
    const late = yield* run(target, "experiment", "add", id, "echo", "--input", "X=late")
    expect(late.exitCode).toBe(2)
    expect(late.stderr).toMatch(new RegExp(`^experiment ${id} is closed: it takes no more tasks`))

    // With no tasks, closing finishes it at once.
    const none = yield* json(Submitted, target, "submit", SPEC, "--open", "--name", "open-empty")
    expect([none.total, none.open]).toEqual([0, true])
    expect((yield* run(target, "experiment", "close", none.id)).stdout).toBe(
      `experiment ${none.id}: COMPLETED\n`,
    )
  })

const freshDatabase = scratchDatabase({ prefix: "airavata_e2e", server: process.env.AIRAVATA_TEST_PG })

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) =>
  fs.makeTempDirectoryScoped({ prefix: "airavata-open-e2e-" }),
)

/** Starts `airavata ARGS` for the scope; yields the first match of `ready` in its stdout. */
const daemon = (args: ReadonlyArray<string>, env: Record<string, string>, ready: RegExp) =>
  Effect.gen(function* () {
    const child = yield* Command.start(
      Command.make("node", "bin/airavata.mjs", ...args).pipe(
        Command.workingDirectory(projectRoot),
        Command.env(env),
      ),
    )
    const found = yield* Deferred.make<string>()
    // Read to the end, so a full pipe never blocks the process.
    yield* child.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) => {
        const match = ready.exec(line)?.[1]
        return match === undefined ? Effect.void : Effect.asVoid(Deferred.succeed(found, match))
      }),
      Effect.forkScoped,
    )
    yield* Effect.forkScoped(Stream.runDrain(child.stderr))
    return yield* Deferred.await(found).pipe(Effect.timeout("60 seconds"))
  })

/** Polls `experiment status` until `done` holds. */
const statusWhen = (target: Target, id: string, done: (s: typeof StatusView.Type) => boolean) =>
  Effect.gen(function* () {
    for (;;) {
      const status = yield* json(StatusView, target, "experiment", "status", id)
      if (done(status)) return status
      yield* Effect.sleep("500 millis")
    }
  }).pipe(Effect.timeout("120 seconds"))

describe("airavata submit --open, experiment add and close (e2e)", () => {
  // The real clock: the run below polls with sleeps and gives up after timeouts.
  layer(NodeContext.layer, { excludeTestServices: true })((it) => {
    it.scoped(
      "against a data directory: add, the refusals, close",
      () =>
        Effect.gen(function* () {
          const dir = yield* tempDir
          const path = yield* Path.Path
          yield* lifecycle({ flags: ["--data-dir", path.join(dir, "data")], env: {} }, dir)
        }),
      600_000,
    )

    it.scoped(
      "against PostgreSQL (DATABASE_URL): add, the refusals, close; 2,001 tasks from a file",
      () =>
        Effect.gen(function* () {
          const { url } = yield* freshDatabase
          const target: Target = { flags: [], env: { DATABASE_URL: url } }
          const dir = yield* tempDir
          yield* lifecycle(target, dir)

          // More than the store takes in one call (2,000) go in several, in the file's order.
          const fs = yield* FileSystem.FileSystem
          const path = yield* Path.Path
          const lines = path.join(dir, "many.jsonl")
          yield* fs.writeFileString(lines, Array.from({ length: 2001 }, (_, i) => `{"X": ${i}}\n`).join(""))
          const many = yield* json(Submitted, target, "submit", SPEC, "--open", "--name", "open-many")
          const added = yield* json(
            Added,
            target,
            "experiment",
            "add",
            many.id,
            "echo",
            "--inputs-file",
            lines,
          )
          expect(new Set(added.taskIds).size).toBe(2001)
          const status = yield* json(StatusView, target, "experiment", "status", many.id)
          expect([status.totalTasks, onlyCounts(status.taskCounts)]).toEqual([2001, [["QUEUED", 2001]]])
          const listed = yield* json(TasksView, target, "experiment", "tasks", many.id, "--limit", "3000")
          expect(listed.tasks.map((t) => t.id)).toEqual(added.taskIds)
        }),
      600_000,
    )

    it.scoped(
      "with a server and a worker: added tasks run; the experiment completes only once closed",
      () =>
        Effect.gen(function* () {
          const { url } = yield* freshDatabase
          const path = yield* Path.Path
          const token = randomBytes(16).toString("hex")
          const port = yield* daemon(
            ["server", "--host", "127.0.0.1", "--port", "0"],
            { DATABASE_URL: url, AIRAVATA_REGISTRATION_TOKEN: token },
            /serving workers on 127\.0\.0\.1:(\d+)/,
          )
          yield* daemon(
            [
              ...["worker", "--server-address", `127.0.0.1:${port}`, "--worker-id", "open-e2e"],
              ...["--working-dir", path.join(yield* tempDir, "work"), "--drain-timeout", "1s"],
            ],
            { AIRAVATA_WORKER_TOKEN: token },
            /worker (open-e2e) connected/,
          )
          const target: Target = { flags: [], env: { DATABASE_URL: url } }
          const { id } = yield* json(Submitted, target, "submit", SPEC, "--open")
          yield* json(Added, target, "experiment", "add", id, "echo", "--input", "X=hello")
          yield* json(Added, target, "experiment", "add", id, "echo", "--input", "X=a=b")

          // Every task done, but open: more may come, so it has not finished.
          const ran = yield* statusWhen(target, id, (s) => s.completedTasks === 2)
          expect([ran.status, ran.open, ran.completedAt]).toEqual(["EXECUTING", true, null])
          expect((yield* run(target, "experiment", "close", id)).stdout).toBe(`experiment ${id}: COMPLETED\n`)
          const done = yield* json(StatusView, target, "experiment", "status", id)
          expect([done.status, done.open, done.totalTasks, done.completedTasks]).toEqual([
            "COMPLETED",
            false,
            2,
            2,
          ])
          expect(done.completedAt).not.toBeNull()

          // Each instance ran with its own inputs.
          const keys = (yield* json(TasksView, target, "experiment", "tasks", id)).tasks.map((t) => t.key)
          const logs = yield* Effect.forEach(keys, (key) =>
            Effect.map(run(target, "experiment", "logs", id, key, "--stream", "stdout"), (r) => r.stdout),
          )
          expect(logs).toEqual(["hello\n", "a=b\n"])
        }),
      600_000,
    )
  })
})
