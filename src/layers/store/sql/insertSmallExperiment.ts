/**
 * A whole experiment that fits in one batch, in ONE statement (one round trip, one commit instead
 * of a transaction of seven): the experiment row, its task groups (with `tracked` known up front:
 * an UPDATE could not see rows inserted by the same statement), tasks, instance edges, barriers and
 * the notifications; one row when it was inserted. Foreign keys between these rows are
 * checked at the end of the statement, when all of them exist.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ExperimentId } from "../../../domain/Ids.js"
import type { Notification } from "./bookkeep.js"
import type { Barrier, Edge } from "./insertDependencies.js"
import { edgesInsert } from "./insertDependencies.js"
import { type ExperimentRow, experimentInsert } from "./insertExperiment.js"
import { taskGroupsInsert } from "./insertTaskGroups.js"
import { type TaskRow, tasksInsert } from "./insertTasks.js"

export interface SmallExperiment {
  readonly experiment: ExperimentRow
  readonly counts: ReadonlyArray<{ readonly name: string; readonly count: number }>
  readonly rows: ReadonlyArray<TaskRow>
  readonly edges: ReadonlyArray<Edge>
  readonly barriers: ReadonlyArray<Barrier>
  readonly notifications: ReadonlyArray<Notification>
}

export const insertSmallExperiment = (sql: SqlClient.SqlClient, small: SmallExperiment) => {
  const id: ExperimentId = small.experiment.id
  const tracked = new Set(small.barriers.map((b) => b.before))
  return sql`WITH e AS (
      ${experimentInsert(sql, small.experiment)} RETURNING id
    ), groups AS (
      ${taskGroupsInsert(sql, id, small.counts, tracked)} RETURNING 1
    ), tasks AS (
      ${tasksInsert(sql, id, small.rows, small.experiment.now)} RETURNING 1
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
    )
    SELECT (SELECT count(*) FROM groups) + (SELECT count(*) FROM tasks) + (SELECT count(*) FROM edges)
        + (SELECT count(*) FROM barriers) + (SELECT count(*) FROM notified) AS written
    FROM e`
}
