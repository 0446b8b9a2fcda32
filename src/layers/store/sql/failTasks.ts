/** Marks leased tasks FAILED for good (no retries left) and ends their attempts. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Attempt, TaskId } from "../../../domain/Ids.js"

export interface Failure {
  readonly id: TaskId
  readonly attempt: Attempt
  readonly error: string
  readonly exitCode: number | null
}

export const failTasks = (sql: SqlClient.SqlClient, failures: ReadonlyArray<Failure>, now: Date) =>
  failures.length === 0
    ? Effect.void
    : sql`WITH u AS (
        SELECT * FROM unnest(${failures.map((f) => f.id)}::uuid[], ${failures.map((f) => f.attempt)}::int[],
          ${failures.map((f) => f.error)}::text[], ${failures.map((f) => f.exitCode)}::int[])
          AS u(id, attempt, error, exit_code)
      ), failed AS (
        UPDATE tasks t SET status = 'FAILED', lease_owner = NULL, lease_expires_at = NULL,
          error = u.error, exit_code = u.exit_code, completed_at = ${now}, updated_at = ${now}
        FROM u WHERE t.id = u.id AND t.attempt = u.attempt AND t.lease_owner IS NOT NULL
        RETURNING t.id, t.attempt
      )
      UPDATE task_attempts a SET status = 'FAILED', ended_at = ${now}, error = u.error,
        exit_code = u.exit_code
      FROM failed f JOIN u ON u.id = f.id
      WHERE a.task_id = f.id AND a.attempt = f.attempt`.pipe(Effect.asVoid)
