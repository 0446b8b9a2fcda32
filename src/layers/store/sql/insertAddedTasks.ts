/**
 * Tasks added to an open experiment, in ONE statement: the experiment's row is share-locked (so a
 * close waits for the adds in flight, and an add after a close finds it closed), the tasks are
 * inserted QUEUED, or leased to the offered worker as its claim would lease them (insertTasks), the
 * experiment's stripe counts them (`added`, and `running` for those leased), and TasksReady is sent
 * only if a task was left QUEUED while the experiment is EXECUTING: tasks leased at birth need no
 * claim. One row per added task, in the order given (their numbers are drawn in that order); none
 * when the experiment does not accept tasks.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ExperimentId } from "../../../domain/Ids.js"
import { stripe } from "./adjustLoad.js"
import type { Notification } from "./bookkeep.js"
import { claimedColumns } from "./claimTasks.js"
import { leasedAttempts } from "./insertSmallExperiment.js"
import { type TaskLease, type TaskRow, tasksInsert } from "./insertTasks.js"

/** Statuses in which an open experiment takes tasks; only EXECUTING leases them at birth. */
export const acceptingStatuses = ["EXECUTING", "PAUSED"] as const

export interface TaskAddition {
  readonly experimentId: ExperimentId
  readonly rows: ReadonlyArray<TaskRow>
  readonly now: Date
  readonly ready: Notification
  readonly lease?: TaskLease | undefined
}

export const insertAddedTasks = (sql: SqlClient.SqlClient, addition: TaskAddition) => {
  const { experimentId: id, rows, now, ready, lease } = addition
  const added = {
    accepting: "EXISTS (SELECT 1 FROM exp)",
    leasing: "EXISTS (SELECT 1 FROM exp WHERE status = 'EXECUTING')",
  }
  return sql`WITH exp AS (
      SELECT id, status FROM experiments
      WHERE id = ${id} AND open AND status IN (${sql.literal(acceptingStatuses.map((s) => `'${s}'`).join(", "))})
      FOR SHARE
    ), new_tasks AS (
      ${tasksInsert(sql, id, rows, now, lease, added)}
      RETURNING *
    ), ${leasedAttempts(sql, now)}, counted AS (
      INSERT INTO experiment_load (experiment_id, stripe, running, added)
      SELECT ${id}, ${sql.literal(stripe)}, count(*) FILTER (WHERE lease_owner IS NOT NULL), count(*)
      FROM new_tasks HAVING count(*) > 0
      ON CONFLICT (experiment_id, stripe) DO UPDATE SET
        running = experiment_load.running + excluded.running, added = experiment_load.added + excluded.added
      RETURNING 1
    ), notified AS (
      SELECT pg_notify(${ready.channel}, ${ready.payload})
      WHERE EXISTS (SELECT 1 FROM new_tasks WHERE status = 'QUEUED')
        AND EXISTS (SELECT 1 FROM exp WHERE status = 'EXECUTING')
    )
    SELECT new_tasks.id::text AS "addedId", new_tasks.key AS "addedKey", new_tasks.lease_owner IS NOT NULL AS "leased",
      (SELECT count(*) FROM attempts) + (SELECT count(*) FROM counted) + (SELECT count(*) FROM notified)
        AS written,
      ${sql.literal(claimedColumns("new_tasks"))}
    FROM new_tasks ORDER BY new_tasks.task_index`
}
