/**
 * Takes leases back and puts the tasks in the queue again, claimable from `notBefore` (the
 * persisted retry backoff). The attempt keeps its number (the next claim adds one) and ends with
 * `attemptStatus`: FAILED when the worker reported a failure, QUEUED when the lease was lost.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Attempt, TaskId } from "../../../domain/Ids.js"

export interface Requeue {
  readonly id: TaskId
  readonly attempt: Attempt
  readonly notBefore: Date
  readonly attemptStatus: "FAILED" | "QUEUED"
  readonly error: string
  readonly exitCode: number | null
}

export const requeueTasks = (sql: SqlClient.SqlClient, requeues: ReadonlyArray<Requeue>, now: Date) =>
  requeues.length === 0
    ? Effect.void
    : sql`WITH u AS (
        SELECT * FROM unnest(${requeues.map((r) => r.id)}::uuid[], ${requeues.map((r) => r.attempt)}::int[],
          ${requeues.map((r) => r.notBefore)}::timestamptz[], ${requeues.map((r) => r.attemptStatus)}::text[],
          ${requeues.map((r) => r.error)}::text[], ${requeues.map((r) => r.exitCode)}::int[])
          AS u(id, attempt, not_before, attempt_status, error, exit_code)
      ), queued AS (
        UPDATE tasks t SET status = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL,
          not_before = u.not_before, error = u.error, exit_code = u.exit_code, updated_at = ${now}
        FROM u WHERE t.id = u.id AND t.attempt = u.attempt AND t.lease_owner IS NOT NULL
        RETURNING t.id, t.attempt
      )
      UPDATE task_attempts a SET status = u.attempt_status, ended_at = ${now}, error = u.error,
        exit_code = u.exit_code
      FROM queued q JOIN u ON u.id = q.id
      WHERE a.task_id = q.id AND a.attempt = q.attempt`.pipe(Effect.asVoid)
