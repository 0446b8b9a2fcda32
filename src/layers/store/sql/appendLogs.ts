/** Stores log chunks; a chunk already stored under the same (task, attempt, stream, seq) is skipped. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { LogChunk } from "../../../ports/StoreModel.js"

export const appendLogs = (sql: SqlClient.SqlClient, chunks: ReadonlyArray<LogChunk>, now: Date) =>
  chunks.length === 0
    ? Effect.void
    : sql`INSERT INTO task_logs (task_id, attempt, stream, seq, chunk, logged_at)
        SELECT u.task_id, u.attempt, u.stream, u.seq, u.chunk, ${now}
        FROM unnest(${chunks.map((c) => c.taskId)}::uuid[], ${chunks.map((c) => c.attempt)}::int[],
          ${chunks.map((c) => c.stream)}::text[], ${chunks.map((c) => c.seq)}::int[],
          ${chunks.map((c) => c.data)}::text[]) AS u(task_id, attempt, stream, seq, chunk)
        ON CONFLICT DO NOTHING`.pipe(Effect.asVoid)
