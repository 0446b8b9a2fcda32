/**
 * Puts back in the queue the tasks a worker was assigned but never started (still DATA_STAGING,
 * leased to it, at the named attempt): lease cleared, claimable at once, and the attempt refunded
 * (`retry_base` + 1), so handing a task back never uses up its retries. Tasks it started, or whose
 * lease moved on, are left alone. Locks in id order, as every other batch does.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { Attempt, ExperimentId, TaskId, type WorkerId } from "../../../domain/Ids.js"
import type { Lease } from "../../../ports/StoreModel.js"
import { rowDecoder } from "../Rows.js"

const decodeHandedBack = rowDecoder(
  Schema.Array(Schema.Struct({ taskId: TaskId, attempt: Attempt, experimentId: ExperimentId })),
)

export const handBackTasks = (
  sql: SqlClient.SqlClient,
  workerId: WorkerId,
  leases: ReadonlyArray<Lease>,
  now: Date,
) => {
  const ids = leases.map((l) => l.taskId)
  return leases.length === 0
    ? Effect.succeed([])
    : sql`WITH u AS (
        SELECT * FROM unnest(${ids}::uuid[], ${leases.map((l) => l.attempt)}::int[]) AS u(id, attempt)
      ), locked AS (
        SELECT t.id FROM tasks t JOIN u ON u.id = t.id
        WHERE t.id = ANY(${ids}::uuid[]) AND t.attempt = u.attempt AND t.lease_owner = ${workerId}
          AND t.status = 'DATA_STAGING'
        ORDER BY t.id
        FOR UPDATE OF t
      ), back AS (
        UPDATE tasks t SET status = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL,
          retry_base = t.retry_base + 1, not_before = ${now}, updated_at = ${now}
        FROM locked l WHERE t.id = l.id
        RETURNING t.id, t.attempt, t.experiment_id
      ), ended AS (
        UPDATE task_attempts a SET status = 'QUEUED', ended_at = ${now}, error = 'handed back unstarted'
        FROM back b WHERE a.task_id = b.id AND a.attempt = b.attempt
        RETURNING 1
      )
      -- The count forces the attempt update to run before the first row returns.
      SELECT b.id::text AS "taskId", b.attempt AS "attempt", b.experiment_id AS "experimentId",
        (SELECT count(*) FROM ended) AS "written"
      FROM back b`.pipe(Effect.flatMap(decodeHandedBack))
}
