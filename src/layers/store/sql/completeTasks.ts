/** Marks leased tasks COMPLETED with the worker's result and ends their attempts. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { Attempt, TaskId } from "../../../domain/Ids.js"

export interface Completion {
  readonly id: TaskId
  readonly attempt: Attempt
  readonly exitCode: number | null
  /** JSON text of the worker's result, or null. */
  readonly result: string | null
  readonly ran: boolean
}

export const completeTasks = (sql: SqlClient.SqlClient, completions: ReadonlyArray<Completion>, now: Date) =>
  completions.length === 0
    ? Effect.void
    : sql`WITH u AS (
        SELECT * FROM unnest(${completions.map((c) => c.id)}::uuid[], ${completions.map((c) => c.attempt)}::int[],
          ${completions.map((c) => c.exitCode)}::int[], ${completions.map((c) => c.result)}::text[],
          ${completions.map((c) => c.ran)}::boolean[])
          AS u(id, attempt, exit_code, result, ran)
      ), done AS (
        UPDATE tasks t SET status = 'COMPLETED', lease_owner = NULL, lease_expires_at = NULL,
          exit_code = u.exit_code, result = u.result::jsonb, error = NULL, completed_at = ${now},
          updated_at = ${now},
          started_at = CASE WHEN u.ran THEN coalesce(t.started_at, ${now}) ELSE t.started_at END
        FROM u WHERE t.id = u.id AND t.attempt = u.attempt AND t.lease_owner IS NOT NULL
        RETURNING t.id, t.attempt
      )
      UPDATE task_attempts a SET status = 'COMPLETED', ended_at = ${now}, exit_code = u.exit_code
      FROM done d JOIN u ON u.id = d.id
      WHERE a.task_id = d.id AND a.attempt = d.attempt`.pipe(Effect.asVoid)
