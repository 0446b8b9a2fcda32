/**
 * The common case of a report batch in one autocommitted statement: completes the leased tasks
 * whose COMPLETED report passes the fence, with every effect the general path (lock, plan, write,
 * settle) has on such a task — task row, attempt row, striped counters, the worker's tally and
 * the TasksChanged notification. Only tasks nothing waits on qualify (no instance dependents, not
 * counted by a barrier), so completing one releases nothing. Returns the tasks it completed;
 * every other row was left untouched, for the general path to decide.
 *
 * Lock order matches the general path: task rows in id order (the `locked` CTE sorts before it
 * locks), then experiment_load rows in experiment order (its input is sorted, so every task row
 * is locked before the first counter row), then worker rows, as bookkeep.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { type Attempt, ExperimentId, isIdText, TaskId, type WorkerId } from "../../../domain/Ids.js"
import type { TaskStatus } from "../../../domain/Status.js"
import { tasksChangedSql } from "../Notify.js"
import { rowDecoder } from "../Rows.js"
import { stripe } from "./adjustLoad.js"

export interface ReportedCompletion {
  readonly id: TaskId
  readonly attempt: Attempt
  /** The reporting worker: the lease must be its. */
  readonly workerId: WorkerId
  /** A RUNNING report of the same attempt came first in the batch. */
  readonly running: boolean
  readonly exitCode: number | null
  /** JSON text of the worker's result, or null. */
  readonly result: string | null
}

/** Statuses each batch shape may start from, and those of them whose walk passes RUNNING. */
export interface CompletionSources {
  readonly alone: ReadonlyArray<TaskStatus>
  readonly aloneRan: ReadonlyArray<TaskStatus>
  readonly afterRunning: ReadonlyArray<TaskStatus>
  readonly afterRunningRan: ReadonlyArray<TaskStatus>
}

const CompletedRows = Schema.Array(Schema.Struct({ id: TaskId, experimentId: ExperimentId }))
const decodeRows = rowDecoder(CompletedRows)

/**
 * The rows, checked by hand with the schema's rules (ids: non-empty, trimmed, ≤ 255 characters);
 * a row per completed task, so a Schema decode showed in the scheduler's profile. Anything else
 * goes through the schema, which dies with what was wrong.
 */
const decodeCompleted = (rows: unknown): Effect.Effect<typeof CompletedRows.Type> =>
  Array.isArray(rows) &&
  rows.every(
    (row: { readonly id?: unknown; readonly experimentId?: unknown }) =>
      isIdText(row?.id) && isIdText(row?.experimentId),
  )
    ? Effect.succeed(rows.map((row) => ({ id: row.id, experimentId: row.experimentId })))
    : decodeRows(rows)

export const completeReported = (
  sql: SqlClient.SqlClient,
  completions: ReadonlyArray<ReportedCompletion>,
  sources: CompletionSources,
  now: Date,
) => {
  // The fence, evaluated by the lock and again by the update (on the row version it locked).
  const fence = (t: string, l: string) => sql`${sql.literal(t)}.attempt = ${sql.literal(l)}.attempt
    AND ${sql.literal(t)}.lease_owner = ${sql.literal(l)}.worker_id
    AND ${sql.literal(t)}.status = ANY(CASE WHEN ${sql.literal(l)}.running
      THEN ${sources.afterRunning}::text[] ELSE ${sources.alone}::text[] END)`
  const ids = completions.map((c) => c.id)
  return completions.length === 0
    ? Effect.succeed([])
    : sql`WITH u AS (
        SELECT * FROM unnest(${ids}::uuid[], ${completions.map((c) => c.attempt)}::int[],
          ${completions.map((c) => c.workerId)}::text[], ${completions.map((c) => c.running)}::boolean[],
          ${completions.map((c) => c.exitCode)}::int[], ${completions.map((c) => c.result)}::text[])
          AS u(id, attempt, worker_id, running, exit_code, result)
      ), locked AS (
        SELECT t.id, u.attempt, u.worker_id, u.running, u.exit_code, u.result
        FROM tasks t JOIN u ON u.id = t.id
        -- Spelled out as well, so the plan always looks the tasks up by primary key.
        WHERE t.id = ANY(${ids}::uuid[]) AND ${fence("t", "u")}
          AND NOT EXISTS (SELECT 1 FROM task_dependencies d WHERE d.depends_on = t.id)
          AND NOT EXISTS (SELECT 1 FROM task_groups g
            WHERE g.experiment_id = t.experiment_id AND g.name = t.name AND g.tracked)
        ORDER BY t.id
        FOR UPDATE OF t
      ), done AS (
        UPDATE tasks t SET status = 'COMPLETED', lease_owner = NULL, lease_expires_at = NULL,
          exit_code = l.exit_code, result = l.result::jsonb, error = NULL, completed_at = ${now},
          updated_at = ${now},
          started_at = CASE WHEN t.status = ANY(CASE WHEN l.running
            THEN ${sources.afterRunningRan}::text[] ELSE ${sources.aloneRan}::text[] END)
            THEN coalesce(t.started_at, ${now}) ELSE t.started_at END
        FROM locked l
        WHERE t.id = l.id AND ${fence("t", "l")}
        RETURNING t.id, t.attempt, t.experiment_id, l.worker_id, l.exit_code
      ), ended AS (
        UPDATE task_attempts a SET status = 'COMPLETED', ended_at = ${now}, exit_code = d.exit_code
        FROM done d WHERE a.task_id = d.id AND a.attempt = d.attempt
        RETURNING 1
      ), load AS (
        INSERT INTO experiment_load (experiment_id, stripe, running, completed, failed, canceled)
        SELECT d.experiment_id, ${sql.literal(stripe)}, -count(*)::int, count(*)::int, 0, 0
        FROM done d GROUP BY d.experiment_id
        ORDER BY d.experiment_id
        ON CONFLICT (experiment_id, stripe) DO UPDATE SET
          running = experiment_load.running + excluded.running,
          completed = experiment_load.completed + excluded.completed
        RETURNING 1
      ), credited AS (
        UPDATE workers w SET tasks_completed = w.tasks_completed + c.n
        FROM (SELECT d.worker_id, count(*)::int AS n FROM done d GROUP BY d.worker_id) c
        WHERE w.id = c.worker_id
        RETURNING 1
      ), notified AS (${sql.literal(tasksChangedSql("done", "experiment_id"))})
      -- The counts force every side statement to run (and in this order) before the first row returns.
      SELECT d.id::text AS "id", d.experiment_id AS "experimentId",
        (SELECT count(*) FROM ended) + (SELECT count(*) FROM load) + (SELECT count(*) FROM credited)
          + (SELECT count(*) FROM notified) AS "written"
      FROM done d`.pipe(Effect.flatMap(decodeCompleted))
}
