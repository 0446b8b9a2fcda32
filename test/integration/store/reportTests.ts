/**
 * reportMany: COMPLETED reports of the lease holder on tasks nothing waits on are applied by one
 * statement, everything else by the general transaction — with the same results and the same rows
 * either way. Rows the port does not show (the stored result, counter stripes) are read with SQL.
 */
import { randomUUID } from "node:crypto"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, expect, type Vitest } from "@effect/vitest"
import { Clock, Effect, Either, TestClock } from "effect"
import { Attempt, type ExperimentId, TaskId, type WorkerId } from "../../../src/domain/Ids.js"
import { Backoff, RetryPolicy } from "../../../src/domain/RetryPolicy.js"
import { Store } from "../../../src/ports/Store.js"
import type { ReportRejection } from "../../../src/ports/StoreErrors.js"
import { type ClaimedTask, type ReportOutcome, TaskReport } from "../../../src/ports/StoreModel.js"
import { cleanSlate, finish, listed, submit, sweep, task, tenant, worker } from "./fixtures.js"
import type { StoreAndSql } from "./TestDatabase.js"

const report = (
  claimed: ClaimedTask,
  status: TaskReport["status"],
  fields: Partial<Pick<TaskReport, "taskId" | "attempt" | "workerId" | "exitCode" | "error" | "result">> = {},
) =>
  TaskReport.make({
    taskId: claimed.taskId,
    attempt: claimed.attempt,
    workerId: claimed.workerId,
    status,
    ...fields,
  })

/** Each task row as the database has it, by key. */
const taskRows = (experimentId: ExperimentId) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`SELECT key, status, attempt, lease_owner, lease_expires_at, exit_code, result, error,
        pending_deps, not_before, started_at, completed_at, updated_at
      FROM tasks WHERE experiment_id = ${experimentId} ORDER BY key`,
  )

/** Each attempt row, by task key. */
const attemptRows = (experimentId: ExperimentId) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (
      sql,
    ) => sql`SELECT t.key, a.attempt, a.worker_id, a.status, a.started_at, a.ended_at, a.exit_code, a.error
      FROM task_attempts a JOIN tasks t ON t.id = a.task_id
      WHERE t.experiment_id = ${experimentId} ORDER BY t.key, a.attempt`,
  )

/** The experiment's counters summed over their stripes. */
const load = (experimentId: ExperimentId) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly running: number; readonly completed: number; readonly failed: number }>`
        SELECT coalesce(sum(running), 0)::int AS running, coalesce(sum(completed), 0)::int AS completed,
          coalesce(sum(failed), 0)::int AS failed
        FROM experiment_load WHERE experiment_id = ${experimentId}`,
      (rows) => rows[0],
    ),
  )

/** Transaction id that wrote each task row, by key. */
const writers = (experimentId: ExperimentId) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly key: string; readonly xmin: string }>`
        SELECT key, xmin::text AS xmin FROM tasks WHERE experiment_id = ${experimentId}`,
      (rows) => new Map(rows.map((r) => [r.key, r.xmin])),
    ),
  )

const tally = (id: WorkerId) =>
  Effect.map(
    Effect.flatMap(Store, (store) => store.getWorker(id)),
    (w) => [w.tasksCompleted, w.tasksFailed],
  )

/** A result without the ids that differ between twin experiments. */
const shape = (result: Either.Either<ReportOutcome, ReportRejection>) =>
  Either.match(result, {
    onLeft: (rejection) => rejection._tag,
    onRight: (outcome) => [outcome.status, outcome.notBefore?.epochMillis ?? null],
  })

/** Claims every claimable task with `w`; returns them by experiment, then by key. */
const claimAll = (w: WorkerId) =>
  Effect.gen(function* () {
    const claimed = yield* (yield* Store).claim(w, 100)
    const byExperiment = new Map<ExperimentId, Map<string, ClaimedTask>>()
    for (const c of claimed) {
      const tasks = byExperiment.get(c.experimentId) ?? new Map<string, ClaimedTask>()
      tasks.set(c.key, c)
      byExperiment.set(c.experimentId, tasks)
    }
    return byExperiment
  })

const get = (tasks: ReadonlyMap<string, ClaimedTask> | undefined, key: string): ClaimedTask => {
  const found = tasks?.get(key)
  assert(found !== undefined, `no claimed task ${key}`)
  return found
}

export const reportTests = (it: Vitest.MethodsNonLive<StoreAndSql>) => {
  it.effect("completions of a flat sweep: rows, attempts, counters, tally, result, experiment finished", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, sweep("flat", 4))
      const id = experiment.experiment.id
      const w = yield* worker(owner)
      const claimed = [...(yield* store.claim(w, 4))].sort((a, b) => (a.key < b.key ? -1 : 1))
      expect(claimed.map((c) => c.key)).toEqual(["flat[0]", "flat[1]", "flat[2]", "flat[3]"])
      const [t0, t1, t2, t3] = claimed
      assert(t0 !== undefined && t1 !== undefined && t2 !== undefined && t3 !== undefined)
      const claimedAt = yield* Clock.currentTimeMillis

      // t1 started in an earlier batch: its start time stays; t0, t2 and t3 start now.
      yield* TestClock.adjust("1 second")
      yield* store.reportMany([report(t1, "RUNNING")])
      yield* TestClock.adjust("1 second")
      const now = yield* Clock.currentTimeMillis
      const results = yield* store.reportMany([
        report(t0, "RUNNING"),
        report(t0, "COMPLETED", { exitCode: 0, result: { index: 0 } }),
        report(t1, "COMPLETED", { exitCode: 1, result: { index: 1 } }),
        report(t2, "COMPLETED", { exitCode: 2, result: { index: 2 } }),
        report(t3, "COMPLETED", { exitCode: 3, result: [3, "three"] }),
      ])
      expect(results.map(shape)).toEqual([
        ["RUNNING", null],
        ["COMPLETED", null],
        ["COMPLETED", null],
        ["COMPLETED", null],
        ["COMPLETED", null],
      ])
      expect(results.map((r) => Either.getOrThrow(r).taskId)).toEqual(
        [t0, t0, t1, t2, t3].map((t) => t.taskId),
      )

      const summary = yield* store.getExperiment(id)
      expect(summary.experiment.status).toBe("COMPLETED")
      expect([summary.completedTasks, summary.runningTasks]).toEqual([4, 0])
      expect(yield* load(id)).toEqual({ running: 0, completed: 4, failed: 0 })
      expect(yield* tally(w)).toEqual([4, 0])

      for (const [i, t] of claimed.entries()) {
        const detail = yield* store.getTask(t.taskId)
        expect(detail.task.status).toBe("COMPLETED")
        expect(detail.task.leaseOwner).toBeUndefined()
        expect(detail.task.error).toBeUndefined()
        expect(detail.task.completedAt?.epochMillis).toBe(now)
        expect(detail.task.updatedAt.epochMillis).toBe(now)
        expect(detail.task.startedAt?.epochMillis).toBe(i === 1 ? claimedAt + 1_000 : now)
        expect(
          detail.attempts.map((a) => [a.attempt, a.workerId, a.status, a.endedAt?.epochMillis, a.exitCode]),
        ).toEqual([[1, w, "COMPLETED", now, i]])
      }
      const rows = yield* taskRows(id)
      expect(rows.map((r) => [r.key, r.exit_code, r.result, r.lease_expires_at])).toEqual([
        ["flat[0]", 0, { index: 0 }, null],
        ["flat[1]", 1, { index: 1 }, null],
        ["flat[2]", 2, { index: 2 }, null],
        ["flat[3]", 3, [3, "three"], null],
      ])
    }),
  )

  it.effect("a mixed batch gives the same results and rows as the general path gives alone", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const retry = RetryPolicy.make({ retries: 2, backoff: Backoff.make({ baseMs: 1_000, jitter: 0 }) })
      const tasks = () =>
        listed([
          ...Array.from({ length: 9 }, (_, i) => task("flat", i)),
          task("up"),
          task("down", 0, { after: ["up[0]"] }),
          task("gate"),
          task("post", 0, { afterAll: ["gate"] }),
          task("flaky", 0, { retry }),
        ])
      const fast = (yield* submit(owner, tasks())).experiment.id
      const twin = (yield* submit(owner, tasks())).experiment.id
      const [w, other] = [yield* worker(owner), yield* worker(owner)]
      const unknownTask = randomUUID()
      const claimed = yield* claimAll(w)
      expect(claimed.get(fast)?.size).toBe(12)
      expect(claimed.get(twin)?.size).toBe(12)

      // flat[7] completed in an earlier batch: its COMPLETED below is a resend. flat[8] is past
      // RUNNING: a RUNNING report is refused, and its COMPLETED does not set a start time.
      yield* TestClock.adjust("1 second")
      for (const experiment of [fast, twin]) {
        const tasks = claimed.get(experiment)
        yield* store.reportMany([
          finish(get(tasks, "flat[7]")),
          report(get(tasks, "flat[8]"), "OUTPUT_STAGING"),
        ])
      }
      yield* TestClock.adjust("1 second")

      const batch = (tasks: ReadonlyMap<string, ClaimedTask> | undefined) => {
        const t = (key: string) => get(tasks, key)
        return [
          report(t("flat[0]"), "RUNNING"),
          report(t("flat[5]"), "RUNNING"),
          report(t("up[0]"), "RUNNING"),
          report(t("flat[6]"), "RUNNING", { attempt: Attempt.make(t("flat[6]").attempt + 1) }),
          report(t("flat[8]"), "RUNNING"),
          report(t("flat[0]"), "COMPLETED", { exitCode: 0, result: { ok: 0 } }),
          report(t("flat[1]"), "COMPLETED", { exitCode: 0, result: "one" }),
          report(t("flat[2]"), "COMPLETED", { attempt: Attempt.make(0), exitCode: 0 }),
          report(t("flat[3]"), "COMPLETED", { workerId: other, exitCode: 0 }),
          report(t("up[0]"), "COMPLETED", { exitCode: 0, result: { up: true } }),
          report(t("gate[0]"), "COMPLETED", { exitCode: 0 }),
          report(t("flaky[0]"), "FAILED", { exitCode: 2, error: "flaked" }),
          report(t("flat[6]"), "COMPLETED", { exitCode: 6 }),
          report(t("flat[8]"), "COMPLETED", { exitCode: 8 }),
          report(t("flat[7]"), "COMPLETED", { exitCode: 0, result: { ok: true } }),
          report(t("flat[4]"), "COMPLETED"),
          report(t("flat[4]"), "COMPLETED", { taskId: TaskId.make(unknownTask) }),
          report(t("flat[4]"), "COMPLETED", { taskId: TaskId.make("not-a-task") }),
        ]
      }
      const tallyBefore = yield* tally(w)
      const fastBatch = batch(claimed.get(fast))
      const results = yield* store.reportMany(fastBatch)
      const tallyFast = yield* tally(w)
      // Each COMPLETED sent twice: no task is [RUNNING?, COMPLETED], so all goes the general way;
      // the repeats answer as their first sending did and change nothing.
      const twinBatch = batch(claimed.get(twin)).flatMap((r) => (r.status === "COMPLETED" ? [r, r] : [r]))
      const twinResults = yield* store.reportMany(twinBatch)
      const tallyTwin = yield* tally(w)

      const now = yield* Clock.currentTimeMillis
      const expected = [
        ["RUNNING", null],
        ["RUNNING", null],
        ["RUNNING", null],
        "StaleAttempt",
        "IllegalTransition",
        ["COMPLETED", null],
        ["COMPLETED", null],
        "StaleAttempt",
        "TaskNotAssigned",
        ["COMPLETED", null],
        ["COMPLETED", null],
        ["QUEUED", now + 1_000],
        ["COMPLETED", null],
        ["COMPLETED", null],
        ["COMPLETED", null],
        ["COMPLETED", null],
        "EntityNotFound",
        "EntityNotFound",
      ]
      expect(results.map(shape)).toEqual(expected)
      expect(twinResults.filter((_, i) => twinBatch[i - 1] !== twinBatch[i]).map(shape)).toEqual(expected)
      for (const [i, result] of results.entries()) {
        if (Either.isRight(result)) {
          expect([result.right.taskId, result.right.attempt]).toEqual([
            fastBatch[i]?.taskId,
            fastBatch[i]?.attempt,
          ])
        }
      }

      // The same rows, counters and tallies.
      expect(yield* taskRows(fast)).toEqual(yield* taskRows(twin))
      expect(yield* attemptRows(fast)).toEqual(yield* attemptRows(twin))
      expect(yield* load(fast)).toEqual(yield* load(twin))
      expect(yield* load(fast)).toEqual({ running: 3, completed: 8, failed: 0 })
      const delta = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => a.map((n, i) => n - (b[i] ?? 0))
      expect(delta(tallyFast, tallyBefore)).toEqual([7, 1])
      expect(delta(tallyTwin, tallyFast)).toEqual([7, 1])
      const counts = yield* store.countTasks(fast)
      expect(counts).toMatchObject({ COMPLETED: 8, QUEUED: 3, DATA_STAGING: 2, RUNNING: 1 })

      // flat[1] and flat[4] were written by the fast statement, apart from the general transaction.
      const written = yield* writers(fast)
      expect(written.get("flat[1]")).toBe(written.get("flat[4]"))
      expect(written.get("flat[1]")).not.toBe(written.get("up[0]"))
      expect(written.get("up[0]")).toBe(written.get("flat[5]"))
      expect(written.get("up[0]")).toBe(written.get("flat[8]"))
    }),
  )

  it.effect(
    "the reaper finishes an experiment whose last completion committed without its finishing check",
    () =>
      Effect.gen(function* () {
        yield* cleanSlate
        const store = yield* Store
        const sql = yield* SqlClient.SqlClient
        const owner = yield* tenant
        const experiment = yield* submit(owner, sweep("orphaned-finish", 2))
        const id = experiment.experiment.id
        const w = yield* worker(owner)
        const [first, second] = yield* store.claim(w, 2)
        assert(first !== undefined && second !== undefined)
        yield* store.report(finish(first))
        // The second completion as its transaction writes it, without the check that would follow
        // its commit: what a replica leaves when it dies in between.
        yield* sql`UPDATE tasks SET status = 'COMPLETED', lease_owner = NULL, lease_expires_at = NULL,
          completed_at = now(), updated_at = now() WHERE id = ${second.taskId}`
        yield* sql`UPDATE task_attempts SET status = 'COMPLETED', ended_at = now()
          WHERE task_id = ${second.taskId} AND attempt = ${second.attempt}`
        yield* sql`INSERT INTO experiment_load (experiment_id, stripe, running, completed) VALUES (${id}, 0, -1, 1)
          ON CONFLICT (experiment_id, stripe) DO UPDATE SET running = experiment_load.running - 1,
            completed = experiment_load.completed + 1`
        expect((yield* store.getExperiment(id)).experiment.status).toBe("EXECUTING")

        yield* store.reap()
        const summary = yield* store.getExperiment(id)
        expect(summary.experiment.status).toBe("COMPLETED")
        expect([summary.completedTasks, summary.runningTasks]).toEqual([2, 0])
      }),
  )

  it.effect("a resent COMPLETED is accepted and counted once", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, sweep("once", 2))
      const w = yield* worker(owner)
      const [a, b] = yield* store.claim(w, 2)
      assert(a !== undefined && b !== undefined)
      const first = yield* store.reportMany([report(a, "RUNNING"), finish(a)])
      expect(first.map(shape)).toEqual([
        ["RUNNING", null],
        ["COMPLETED", null],
      ])
      const again = yield* store.reportMany([report(a, "RUNNING"), finish(a), finish(b)])
      expect(again.map(shape)).toEqual(["LeaseLost", ["COMPLETED", null], ["COMPLETED", null]])
      expect(yield* store.report(finish(a))).toMatchObject({ status: "COMPLETED", attempt: a.attempt })
      expect(yield* load(experiment.experiment.id)).toEqual({ running: 0, completed: 2, failed: 0 })
      expect(yield* tally(w)).toEqual([2, 0])
      expect((yield* store.getExperiment(experiment.experiment.id)).experiment.status).toBe("COMPLETED")
    }),
  )

  it.effect("completing upstream tasks releases their dependents (edges and barriers)", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(
        owner,
        listed([
          task("a"),
          task("b", 0, { after: ["a[0]"] }),
          task("gate", 0),
          task("gate", 1),
          task("post", 0, { afterAll: ["gate"] }),
        ]),
      )
      const w = yield* worker(owner)
      const first = yield* claimAll(w)
      const tasks = first.get(experiment.experiment.id)
      expect([...(tasks?.keys() ?? [])].sort()).toEqual(["a[0]", "gate[0]", "gate[1]"])
      yield* store.reportMany(
        ["a[0]", "gate[0]", "gate[1]"].flatMap((key) => [
          report(get(tasks, key), "RUNNING"),
          finish(get(tasks, key)),
        ]),
      )
      const second = yield* claimAll(w)
      expect([...(second.get(experiment.experiment.id)?.keys() ?? [])].sort()).toEqual(["b[0]", "post[0]"])
      expect(yield* load(experiment.experiment.id)).toEqual({ running: 2, completed: 3, failed: 0 })
    }),
  )

  it.effect("8 workers claiming and completing 1,600 tasks concurrently finish the experiment", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const experiment = yield* submit(owner, sweep("race", 1_600))
      const workers = yield* Effect.all(Array.from({ length: 8 }, () => worker(owner)))
      const done = yield* Effect.forEach(
        workers,
        (w, i) =>
          Effect.gen(function* () {
            let completed = 0
            for (;;) {
              const claimed = yield* store.claim(w, [1, 8, 32][i % 3] ?? 1)
              if (claimed.length === 0) return completed
              const results = yield* store.reportMany(
                claimed.flatMap((c) => (i % 2 === 0 ? [report(c, "RUNNING"), finish(c)] : [finish(c)])),
              )
              completed += results.filter((r) => Either.isRight(r) && r.right.status === "COMPLETED").length
            }
          }),
        { concurrency: "unbounded" },
      )
      expect(done.reduce((a, b) => a + b, 0)).toBe(1_600)
      const summary = yield* store.getExperiment(experiment.experiment.id)
      expect(summary.experiment.status).toBe("COMPLETED")
      expect([summary.completedTasks, summary.runningTasks]).toEqual([1_600, 0])
      const tallies = yield* Effect.forEach(workers, tally)
      expect(tallies.reduce((sum, [completed]) => sum + (completed ?? 0), 0)).toBe(1_600)
    }),
  )
}
