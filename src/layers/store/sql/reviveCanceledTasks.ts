/**
 * Revives an experiment's tasks that were canceled because an upstream task failed for good
 * (`canceled_by`), for retryFailed once it has requeued the failures: each goes back to CREATED
 * waiting on its unfinished dependencies (an instance edge counts unless its task is COMPLETED, a
 * barrier unless its group is), or to QUEUED when none is left, with a fresh retry budget.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import type { ExperimentId } from "../../../domain/Ids.js"
import { rowDecoder } from "../Rows.js"

const decodeRevived = rowDecoder(Schema.Struct({ revived: Schema.Int, queued: Schema.Int }))

const canceledByFailure = (sql: SqlClient.SqlClient, experimentId: ExperimentId) =>
  sql`SELECT id, name FROM tasks
    WHERE experiment_id = ${experimentId} AND status = 'CANCELED' AND canceled_by IS NOT NULL`

/**
 * Share-locks, in id order like every task lock, the unfinished tasks the revived ones wait on
 * (edges and barrier groups). Dependency release skips tasks that are not CREATED, so a completion
 * committing between this transaction's count and its commit would be lost; with these locks it
 * either commits first, and the count (a later statement) sees it, or waits for this commit and
 * then finds the task CREATED.
 */
const lockUpstream = (sql: SqlClient.SqlClient, experimentId: ExperimentId) =>
  sql`WITH revived AS (${canceledByFailure(sql, experimentId)})
    SELECT u.id FROM tasks u
    WHERE u.experiment_id = ${experimentId} AND u.status <> 'COMPLETED'
      AND (u.id IN (SELECT d.depends_on FROM task_dependencies d JOIN revived r ON r.id = d.task_id)
        OR u.name IN (SELECT b.before_name FROM task_barriers b JOIN revived r ON r.name = b.after_name
          WHERE b.experiment_id = ${experimentId}))
    ORDER BY u.id FOR SHARE OF u`

const revive = (sql: SqlClient.SqlClient, experimentId: ExperimentId, now: Date) =>
  sql`WITH pending AS (
      SELECT t.id, (
        (SELECT count(*) FROM task_dependencies d JOIN tasks u ON u.id = d.depends_on
          WHERE d.task_id = t.id AND u.status <> 'COMPLETED')
        + (SELECT count(*) FROM task_barriers b
          JOIN task_groups g ON g.experiment_id = b.experiment_id AND g.name = b.before_name
          WHERE b.experiment_id = t.experiment_id AND b.after_name = t.name AND g.completed < g.total)
      )::int AS n
      FROM (${canceledByFailure(sql, experimentId)}) c JOIN tasks t ON t.id = c.id
    ), revived AS (
      UPDATE tasks t SET status = CASE WHEN p.n = 0 THEN 'QUEUED' ELSE 'CREATED' END, pending_deps = p.n,
        retry_base = t.attempt, not_before = ${now}, error = NULL, exit_code = NULL, completed_at = NULL,
        canceled_by = NULL, updated_at = ${now}
      FROM pending p WHERE t.id = p.id
      RETURNING p.n = 0 AS queued
    )
    SELECT count(*)::int AS revived, (count(*) FILTER (WHERE queued))::int AS queued FROM revived`

/** Returns how many tasks were revived, and how many of those went straight to QUEUED. */
export const reviveCanceledTasks = (sql: SqlClient.SqlClient, experimentId: ExperimentId, now: Date) =>
  Effect.gen(function* () {
    yield* lockUpstream(sql, experimentId)
    const rows = yield* revive(sql, experimentId, now)
    return yield* decodeRevived(rows[0])
  })
