/**
 * Cancels every task of an experiment that the task machine lets move to CANCELED, ending live
 * attempts. Returns how many were canceled and the leases that were live, so their workers can be
 * told to stop — without shipping a million canceled ids back to the caller.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { Attempt, ExperimentId, TaskId, WorkerId } from "../../../domain/Ids.js"
import type { TaskStatus } from "../../../domain/Status.js"
import { rowDecoder } from "../Rows.js"

const Canceled = Schema.Struct({
  canceled: Schema.Int,
  leased: Schema.Array(
    Schema.Struct({ taskId: TaskId, experimentId: ExperimentId, attempt: Attempt, workerId: WorkerId }),
  ),
})
const decodeCanceled = rowDecoder(Canceled)

export const cancelTasks = (
  sql: SqlClient.SqlClient,
  experimentId: ExperimentId,
  from: ReadonlyArray<TaskStatus>,
  reason: string,
  now: Date,
) =>
  sql`WITH victims AS (
      SELECT id, attempt, lease_owner FROM tasks
      WHERE experiment_id = ${experimentId} AND status = ANY(${from}::text[])
      FOR UPDATE
    ), canceled AS (
      UPDATE tasks t SET status = 'CANCELED', lease_owner = NULL, lease_expires_at = NULL, error = ${reason},
        completed_at = ${now}, updated_at = ${now}
      FROM victims v WHERE t.id = v.id
      RETURNING t.id
    ), ended AS (
      UPDATE task_attempts a SET status = 'CANCELED', ended_at = ${now}, error = ${reason}
      FROM victims v WHERE a.task_id = v.id AND a.attempt = v.attempt AND v.lease_owner IS NOT NULL
    )
    SELECT (SELECT count(*)::int FROM canceled) AS canceled,
      coalesce((SELECT jsonb_agg(jsonb_build_object('taskId', v.id, 'experimentId', ${experimentId}::text,
        'attempt', v.attempt, 'workerId', v.lease_owner))
        FROM victims v WHERE v.lease_owner IS NOT NULL), '[]'::jsonb) AS leased`.pipe(
    Effect.flatMap((rows) => decodeCanceled(rows[0])),
  )
