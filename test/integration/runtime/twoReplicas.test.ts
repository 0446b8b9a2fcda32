/**
 * Two scheduler replicas, each with its own Store (own pool, own LISTEN connection) on ONE
 * PostgreSQL database, with real worker processes connected to each, run 10,000 in-process
 * handler tasks. Every task completes exactly once: one COMPLETED attempt in the store, and one
 * line in the file the handler appends to on every run.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { StoreLive } from "../../../src/layers/store/StoreLive.js"
import { awaitExperiment, countsOf, startReplica, startWorkers, submitYaml, tempDir } from "./harness.js"
import { DatabaseUrl, query, runtimeDatabase } from "./RuntimeDatabase.js"

const TASKS = 10_000
const HANDLERS = fileURLToPath(new URL("./fixtures/recordHandler.mjs", import.meta.url))

const spec = (log: string) => `
name: two-replicas
parameters:
  I:
    type: int
  LOG:
    type: string
tasks:
  tick:
    handler: record
    task_inputs:
      I: "1..${TASKS}"
      LOG: "${log}"
`

const Count = Schema.Struct({ n: Schema.Int })
const TaskTally = Schema.Struct({ taskId: Schema.String, completed: Schema.Int, attempts: Schema.Int })
const WorkerTally = Schema.Struct({ workerId: Schema.String, completed: Schema.Int })

layer(runtimeDatabase(), { excludeTestServices: true, timeout: "120 seconds" })(
  "two replicas on one database",
  (it) => {
    it.scoped(
      `${TASKS.toLocaleString("en")} tasks complete, none twice, with workers on both replicas`,
      () =>
        Effect.gen(function* () {
          const url = yield* DatabaseUrl
          const work = yield* tempDir("replicas-work")
          const logDir = yield* tempDir("replicas-log")
          const log = Path.join(logDir, "runs.log")

          // Replica 1 uses the file's Store; replica 2 gets a Store of its own on the same database.
          const first = yield* startReplica({ heartbeatInterval: "2 seconds" })
          const secondStore = yield* Layer.build(StoreLive.postgres({ url, maxConnections: 10 })).pipe(
            Effect.orDie,
          )
          const second = yield* startReplica({ heartbeatInterval: "2 seconds" }).pipe(
            Effect.provide(secondStore),
          )
          expect(second.port).not.toBe(first.port)
          const workers = { slots: 50, workingDir: work, handlersModule: HANDLERS }
          yield* startWorkers(2, { ...workers, prefix: "r1", port: first.port })
          yield* startWorkers(2, { ...workers, prefix: "r2", port: second.port })

          const submitted = yield* submitYaml(spec(log))
          const id = submitted.experiment.id
          expect(submitted.experiment.totalTasks).toBe(TASKS)
          const summary = yield* awaitExperiment(id, "COMPLETED", "400 seconds")
          expect(summary.completedTasks).toBe(TASKS)
          expect(summary.failedTasks).toBe(0)
          expect((yield* countsOf(id)).COMPLETED).toBe(TASKS)

          // The store: every task COMPLETED with exactly one COMPLETED attempt. (An attempt requeued
          // before it finished would be legitimate; a second completion would not.)
          const [completed] = yield* query(
            Count,
            "SELECT count(*)::int AS n FROM tasks WHERE experiment_id = $1 AND status = 'COMPLETED'",
            [id],
          )
          expect(completed?.n).toBe(TASKS)
          const anomalies = yield* query(
            TaskTally,
            `SELECT t.id::text AS "taskId",
             (count(*) FILTER (WHERE a.status = 'COMPLETED'))::int AS completed,
             count(a.task_id)::int AS attempts
           FROM tasks t LEFT JOIN task_attempts a ON a.task_id = t.id
           WHERE t.experiment_id = $1
           GROUP BY t.id
           HAVING count(*) FILTER (WHERE a.status = 'COMPLETED') <> 1`,
            [id],
          )
          expect(anomalies).toEqual([])

          // Both replicas served work: workers of each completed tasks.
          const byWorker = yield* query(
            WorkerTally,
            `SELECT a.worker_id AS "workerId", count(*)::int AS completed
           FROM task_attempts a JOIN tasks t ON t.id = a.task_id
           WHERE t.experiment_id = $1 AND a.status = 'COMPLETED'
           GROUP BY a.worker_id`,
            [id],
          )
          const servedBy = (prefix: string) =>
            byWorker
              .filter((w) => w.workerId.startsWith(`${prefix}-`))
              .reduce((sum, w) => sum + w.completed, 0)
          expect(servedBy("r1")).toBeGreaterThan(0)
          expect(servedBy("r2")).toBeGreaterThan(0)
          expect(servedBy("r1") + servedBy("r2")).toBe(TASKS)

          // The workers: the handler appends when it has run, so two lines for a task would be a
          // second run to completion, whatever the store says.
          const runs = Fs.readFileSync(log, "utf8").trim().split("\n")
          const ran = new Set(runs.map((line) => line.split(" ")[0]))
          expect(runs).toHaveLength(TASKS)
          expect(ran.size).toBe(TASKS)
        }),
      // ≈ 1–2 min of work on 2 busy cores, then removing 10,000 attempt directories.
      540_000,
    )
  },
)
