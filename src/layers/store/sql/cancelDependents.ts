/**
 * Cancels everything downstream of tasks that failed for good: their instance dependents, every
 * waiting instance of task names with a barrier on theirs, and so on transitively. Each canceled
 * task's error names the failed task it was waiting on, and `canceled_by` holds that task's id, so
 * retryFailed can tell these cancellations from any other. Returns the canceled tasks' experiments,
 * one entry per task.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { ExperimentId, type TaskId } from "../../../domain/Ids.js"
import { rowDecoder } from "../Rows.js"

const downstream = (
  f: string,
) => `SELECT d.task_id AS id FROM task_dependencies d WHERE d.depends_on = ${f}.id
  UNION
  SELECT w.id FROM task_barriers b
  JOIN tasks w ON w.experiment_id = b.experiment_id AND w.name = b.after_name AND w.status = 'CREATED'
  WHERE b.experiment_id = ${f}.experiment_id AND b.before_name = ${f}.name`

const decodeRows = rowDecoder(Schema.Array(Schema.Struct({ experimentId: ExperimentId })))

export const cancelDependents = (sql: SqlClient.SqlClient, failed: ReadonlyArray<TaskId>, now: Date) =>
  failed.length === 0
    ? Effect.succeed([])
    : Effect.flatMap(
        sql`WITH RECURSIVE doomed(id, root, root_key) AS (
            SELECT x.id, f.id, f.key FROM tasks f
            CROSS JOIN LATERAL (${sql.literal(downstream("f"))}) x
            WHERE f.id = ANY(${failed}::uuid[])
          UNION
            SELECT x.id, doomed.root, doomed.root_key FROM doomed
            JOIN tasks f ON f.id = doomed.id
            CROSS JOIN LATERAL (${sql.literal(downstream("f"))}) x
          ), first AS (
            SELECT DISTINCT ON (id) id, root, root_key FROM doomed ORDER BY id, root_key
          )
          UPDATE tasks t SET status = 'CANCELED', error = 'upstream task ' || first.root_key || ' failed',
            canceled_by = first.root, completed_at = ${now}, updated_at = ${now}
          FROM first WHERE t.id = first.id AND t.status = 'CREATED'
          RETURNING t.experiment_id AS "experimentId"`,
        decodeRows,
      ).pipe(Effect.map((rows) => rows.map((row) => row.experimentId)))
