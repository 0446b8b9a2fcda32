/**
 * Moves leased tasks forward within their lease (DATA_STAGING → … → OUTPUT_STAGING) and records
 * the step on the live attempt. A report is also proof of life, so it extends the lease.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Attempt, TaskId } from "../../../domain/Ids.js"
import type { TaskStatus } from "../../../domain/Status.js"

export interface Advance {
  readonly id: TaskId
  readonly attempt: Attempt
  readonly status: TaskStatus
  /** The move passed through RUNNING: the task's first start time is set if unset. */
  readonly ran: boolean
}

export const advanceTasks = (
  sql: SqlClient.SqlClient,
  moves: ReadonlyArray<Advance>,
  now: Date,
  leaseUntil: Date,
) =>
  moves.length === 0
    ? Effect.void
    : sql`WITH u AS (
        SELECT * FROM unnest(${moves.map((m) => m.id)}::uuid[], ${moves.map((m) => m.attempt)}::int[],
          ${moves.map((m) => m.status)}::text[], ${moves.map((m) => m.ran)}::boolean[])
          AS u(id, attempt, status, ran)
      ), moved AS (
        UPDATE tasks t SET status = u.status, lease_expires_at = ${leaseUntil}, updated_at = ${now},
          started_at = CASE WHEN u.ran THEN coalesce(t.started_at, ${now}) ELSE t.started_at END
        FROM u WHERE t.id = u.id AND t.attempt = u.attempt AND t.lease_owner IS NOT NULL
        RETURNING t.id, t.attempt, t.status
      )
      UPDATE task_attempts a SET status = m.status FROM moved m
      WHERE a.task_id = m.id AND a.attempt = m.attempt`.pipe(Effect.asVoid)
