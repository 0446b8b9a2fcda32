/**
 * `airavata submit` and `airavata experiment …`, run as a user runs them (`node bin/airavata.mjs`
 * on the built dist/, which the test script builds first), against both store targets: an
 * embedded data directory and a fresh database on the local PostgreSQL server. Each CLI start
 * costs 1–2 s, so every invocation here checks several things at once.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { scratchDatabase } from "../scratchDatabase.js"
import { airavata, json, runOn, type Target } from "./cli.js"

const run = runOn

const Counts = Schema.Record({ key: Schema.String, value: Schema.Number })
const ExperimentView = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  status: Schema.String,
  totalTasks: Schema.Number,
  completedTasks: Schema.Number,
  canceledTasks: Schema.Number,
  startedAt: Schema.NullOr(Schema.String),
  completedAt: Schema.NullOr(Schema.String),
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
})
const StatusView = Schema.extend(
  ExperimentView,
  Schema.Struct({ durationMillis: Schema.NullOr(Schema.Number), taskCounts: Counts }),
)
const ListView = Schema.Struct({ experiments: Schema.Array(ExperimentView) })
const TasksView = Schema.Struct({
  experimentId: Schema.String,
  tasks: Schema.Array(
    Schema.Struct({
      key: Schema.String,
      status: Schema.String,
      attempt: Schema.Number,
      worker: Schema.NullOr(Schema.String),
      error: Schema.NullOr(Schema.String),
    }),
  ),
})
const Submitted = Schema.Struct({ id: Schema.String, total: Schema.Number })

const onlyCounts = (counts: Record<string, number>) => Object.entries(counts).filter(([, n]) => n > 0)

/** submit → list → status → pause → resume → cancel → resubmit, and the refusals, on one target. */
const lifecycle = (target: Target) =>
  Effect.gen(function* () {
    const submitted = yield* json(Submitted, target, "submit", "examples/sweep.yaml")
    expect(submitted.total).toBe(12)
    const id = submitted.id

    const listed = yield* json(ListView, target, "experiment", "list")
    expect(listed.experiments.map((e) => [e.id, e.name, e.status, e.totalTasks])).toEqual([
      [id, "sweep", "EXECUTING", 12],
    ])

    const executing = yield* json(StatusView, target, "experiment", "status", id)
    expect(executing.status).toBe("EXECUTING")
    expect(executing.totalTasks).toBe(12)
    expect(onlyCounts(executing.taskCounts)).toEqual([["QUEUED", 12]])
    expect(executing.completedAt).toBeNull()

    expect(yield* run(target, "experiment", "pause", id)).toEqual({
      stdout: `experiment ${id}: PAUSED\n`,
      stderr: "",
      exitCode: 0,
    })
    const paused = yield* run(target, "experiment", "status", id)
    expect(paused.exitCode).toBe(0)
    expect(paused.stdout).toMatch(/^status {2,}PAUSED$/m)
    expect(paused.stdout).toMatch(/^QUEUED {2,}12$/m)

    expect((yield* run(target, "experiment", "resume", id)).stdout).toBe(`experiment ${id}: EXECUTING\n`)
    expect((yield* run(target, "experiment", "cancel", id)).stdout).toBe(
      `experiment ${id}: CANCELED (12 task(s) canceled, 0 of them running)\n`,
    )
    const canceled = yield* json(StatusView, target, "experiment", "status", id)
    expect(canceled.status).toBe("CANCELED")
    expect(canceled.canceledTasks).toBe(12)
    expect(onlyCounts(canceled.taskCounts)).toEqual([["CANCELED", 12]])
    expect(canceled.completedAt).not.toBeNull()
    const tasks = yield* json(TasksView, target, "experiment", "tasks", id, "--limit", "20")
    expect(tasks.tasks.map((t) => [t.key, t.status, t.attempt, t.worker])).toEqual(
      Array.from({ length: 12 }, (_, i) => [`grid[${i}]`, "CANCELED", 0, null]),
    )

    // The user's mistakes exit with 2 and say what was wrong.
    const illegal = yield* run(target, "experiment", "pause", id)
    expect(illegal.exitCode).toBe(2)
    expect(illegal.stderr).toBe(`experiment ${id} cannot move from CANCELED to PAUSED\n`)
    const unknown = yield* run(target, "experiment", "status", "exp_does-not-exist")
    expect(unknown).toEqual({ stdout: "", stderr: "experiment exp_does-not-exist not found\n", exitCode: 2 })

    const again = yield* json(
      Schema.Struct({ id: Schema.String, name: Schema.String, total: Schema.Number }),
      target,
      "experiment",
      "resubmit",
      id,
    )
    expect(again.id).not.toBe(id)
    expect([again.name, again.total]).toEqual(["sweep-resubmit-1", 12])
    const derived = yield* json(StatusView, target, "experiment", "status", again.id)
    expect([derived.status, derived.totalTasks, derived.metadata]).toEqual([
      "EXECUTING",
      12,
      { resubmittedFrom: id },
    ])
    expect(onlyCounts(derived.taskCounts)).toEqual([["QUEUED", 12]])
  })

/** A fresh `airavata_e2e_<random>` database on the local server, dropped when the scope closes. */
const freshDatabase = scratchDatabase({ prefix: "airavata_e2e", server: process.env.AIRAVATA_TEST_PG })

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) =>
  fs.makeTempDirectoryScoped({ prefix: "airavata-e2e-" }),
)

// Prints to both streams, so `experiment logs` has something to show for each.
const greetSpec = `name: greet
parameters:
  WHO: { type: string }
tasks:
  greet:
    command: |
      echo "hello $WHO"
      echo "note for $WHO" >&2
    task_inputs:
      WHO: [ada, grace, alan]
`

describe("airavata submit and experiment (e2e)", () => {
  it.layer(NodeContext.layer)((it) => {
    it.scoped(
      "against a data directory: the whole lifecycle; --data-dir wins over DATABASE_URL",
      () =>
        Effect.gen(function* () {
          const dir = yield* tempDir
          const path = yield* Path.Path
          const dataDir = path.join(dir, "data")
          // Reading from a directory without a database is an error, not a new empty database.
          const missing = yield* airavata(["experiment", "list", "--data-dir", dataDir])
          expect(missing.exitCode).toBe(2)
          expect(missing.stderr).toContain(`no airavata database in ${dataDir}`)
          // An unreachable DATABASE_URL must not matter when --data-dir is given.
          yield* lifecycle({
            flags: ["--data-dir", dataDir],
            env: { DATABASE_URL: "postgres://root@127.0.0.1:1/unreachable" },
          })
        }),
      600_000,
    )

    it.scoped(
      "against PostgreSQL: the whole lifecycle via DATABASE_URL; an unreachable server exits with 1",
      () =>
        Effect.gen(function* () {
          const { url } = yield* freshDatabase
          yield* lifecycle({ flags: [], env: { DATABASE_URL: url } })
          const explicit = yield* json(
            ListView,
            { flags: ["--database-url", url], env: {} },
            "experiment",
            "list",
          )
          expect(explicit.experiments.map((e) => e.name)).toEqual(["sweep-resubmit-1", "sweep"])
          const down = yield* airavata([
            "experiment",
            "list",
            "--database-url",
            "postgres://root:secret@127.0.0.1:1/airavata",
          ])
          expect(down.exitCode).toBe(1)
          expect(down.stderr).toContain("cannot open the store (postgres://127.0.0.1:1/airavata)")
          expect(down.stderr).not.toContain("secret")
        }),
      600_000,
    )

    it.scoped(
      "after `airavata run`: list, status, tasks and logs show the completed experiment and its output",
      () =>
        Effect.gen(function* () {
          const fs = yield* FileSystem.FileSystem
          const path = yield* Path.Path
          const dir = yield* tempDir
          const spec = path.join(dir, "greet.yaml")
          yield* fs.writeFileString(spec, greetSpec)
          const target: Target = { flags: ["--data-dir", path.join(dir, "data")], env: {} }
          const ran = yield* run(target, "run", spec, "--workers", "2")
          expect(ran.exitCode).toBe(0)

          const listed = yield* json(ListView, target, "experiment", "list", "--status", "COMPLETED")
          expect(listed.experiments.map((e) => [e.name, e.status, e.totalTasks, e.completedTasks])).toEqual([
            ["greet", "COMPLETED", 3, 3],
          ])
          const id = listed.experiments[0]?.id ?? ""

          const status = yield* run(target, "experiment", "status", id)
          expect(status.exitCode).toBe(0)
          expect(status.stdout).toMatch(/^status {2,}COMPLETED$/m)
          expect(status.stdout).toMatch(/^COMPLETED {2,}3$/m)
          expect(status.stdout).toMatch(/^duration {2,}\d+\.\ds$/m)

          const tasks = yield* run(target, "experiment", "tasks", id)
          const rows = tasks.stdout.trimEnd().split("\n")
          expect(rows[0]).toMatch(/^KEY {2,}STATUS {2,}ATTEMPT {2,}WORKER {2,}ERROR$/)
          expect(rows.slice(1).map((row) => row.split(/ {2,}/))).toEqual(
            ["greet[0]", "greet[1]", "greet[2]"].map((key) => [
              key,
              "COMPLETED",
              "1",
              expect.stringMatching(/^local-/),
              "-",
            ]),
          )

          expect(yield* run(target, "experiment", "logs", id, "greet[1]")).toEqual({
            stdout: "hello grace\n",
            stderr: "note for grace\n",
            exitCode: 0,
          })
          expect(
            yield* run(target, "experiment", "logs", id, "greet[2]", "--stream", "stderr", "--attempt", "1"),
          ).toEqual({ stdout: "note for alan\n", stderr: "", exitCode: 0 })
        }),
      600_000,
    )
  })
})
