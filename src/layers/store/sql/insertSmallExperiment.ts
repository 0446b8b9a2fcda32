/**
 * A whole experiment that fits in one batch, in ONE statement (one round trip, one commit instead
 * of a transaction of seven): the experiment row, its task groups (with `tracked` known up front:
 * an UPDATE could not see rows inserted by the same statement), tasks, instance edges, barriers and
 * the notifications; one row when it was inserted. Foreign keys between these rows are
 * checked at the end of the statement, when all of them exist.
 *
 * With a `lease`, the tasks offered to a worker are inserted leased to it (insertTasks), with
 * their attempt rows and the experiment's running count, as the claim writes them; the rows then
 * carry the leased tasks' columns (`claimedColumns`), one row per leased task (at least one row).
 * `ready`, the TasksReady notification, is sent only if a task was inserted QUEUED: tasks leased
 * at birth need no claim.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ExperimentId } from "../../../domain/Ids.js"
import { stripe } from "./adjustLoad.js"
import type { Notification } from "./bookkeep.js"
import { claimedColumns } from "./claimTasks.js"
import type { Barrier, Edge } from "./insertDependencies.js"
import { edgesInsert } from "./insertDependencies.js"
import { type ExperimentRow, experimentInsert } from "./insertExperiment.js"
import { taskGroupsInsert } from "./insertTaskGroups.js"
import { type TaskLease, type TaskRow, tasksInsert } from "./insertTasks.js"

export interface SmallExperiment {
  readonly experiment: ExperimentRow
  readonly counts: ReadonlyArray<{ readonly name: string; readonly count: number }>
  readonly rows: ReadonlyArray<TaskRow>
  readonly edges: ReadonlyArray<Edge>
  readonly barriers: ReadonlyArray<Barrier>
  readonly notifications: ReadonlyArray<Notification>
  readonly ready?: Notification | undefined
  readonly lease?: TaskLease | undefined
}

export const insertSmallExperiment = (sql: SqlClient.SqlClient, small: SmallExperiment) => {
  const id: ExperimentId = small.experiment.id
  const tracked = new Set(small.barriers.map((b) => b.before))
  const { lease, ready } = small
  const none = sql.literal("")
  return sql`WITH e AS (
      ${experimentInsert(sql, small.experiment)} RETURNING id
    ), groups AS (
      ${taskGroupsInsert(sql, id, small.counts, tracked)} RETURNING 1
    ), new_tasks AS (
      ${tasksInsert(sql, id, small.rows, small.experiment.now, lease)}
      RETURNING ${lease === undefined ? sql.literal("status") : sql.literal("*")}
    ), edges AS (
      ${edgesInsert(sql, small.edges)} RETURNING 1
    ), barriers AS (
      INSERT INTO task_barriers (experiment_id, before_name, after_name)
      SELECT ${id}, b.before_name, b.after_name
      FROM unnest(${small.barriers.map((b) => b.before)}::text[], ${small.barriers.map((b) => b.after)}::text[])
        AS b(before_name, after_name)
      RETURNING 1
    ), notified AS (
      SELECT pg_notify(n.channel, n.payload)
      FROM unnest(${small.notifications.map((n) => n.channel)}::text[],
        ${small.notifications.map((n) => n.payload)}::text[]) AS n(channel, payload)
      ${
        ready === undefined
          ? none
          : sql`UNION ALL SELECT pg_notify(${ready.channel}, ${ready.payload})
        WHERE EXISTS (SELECT 1 FROM new_tasks WHERE status = 'QUEUED')`
      }
    )${lease === undefined ? none : leasedParts(sql, id, small.experiment.now)}
    SELECT (SELECT count(*) FROM groups) + (SELECT count(*) FROM new_tasks) + (SELECT count(*) FROM edges)
        + (SELECT count(*) FROM barriers) + (SELECT count(*) FROM notified) ${
          lease === undefined ? sql.literal("AS written FROM e") : sql.literal(leasedRows)
        }`
}

// One row per leased task (at least one), each with the count of rows written.
const leasedRows = `+ (SELECT count(*) FROM attempts) + (SELECT count(*) FROM counted) AS written,
        ${claimedColumns("leased")}
    FROM e LEFT JOIN leased ON true`

/**
 * CTEs `leased` (the rows of CTE `new_tasks` inserted leased) and `attempts` (their first attempt
 * rows, as the claim writes them), for a statement that inserts tasks leased at birth.
 */
export const leasedAttempts = (sql: SqlClient.SqlClient, now: Date) =>
  sql`leased AS (
      SELECT * FROM new_tasks WHERE lease_owner IS NOT NULL
    ), attempts AS (
      INSERT INTO task_attempts (task_id, attempt, worker_id, status, started_at)
      SELECT id, attempt, lease_owner, 'DATA_STAGING', ${now} FROM leased
      RETURNING 1
    )`

// What the claim writes besides the task row: the attempt row, the running count on this
// session's stripe (the experiment is new: nothing to add to).
const leasedParts = (sql: SqlClient.SqlClient, id: ExperimentId, now: Date) =>
  sql`, ${leasedAttempts(sql, now)}, counted AS (
      INSERT INTO experiment_load (experiment_id, stripe, running)
      SELECT ${id}, ${sql.literal(stripe)}, count(*) FROM leased HAVING count(*) > 0
      RETURNING 1
    )`
