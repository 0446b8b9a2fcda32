/** Log chunks of one attempt (the task's latest when none is named), by stream then seq. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { LogEntry, type LogQuery } from "../../../ports/StoreModel.js"
import { rowDecoder } from "../Rows.js"

const decodeEntries = rowDecoder(Schema.Array(LogEntry))

export const readLogs = (sql: SqlClient.SqlClient, query: LogQuery) =>
  sql`SELECT jsonb_build_object('taskId', l.task_id, 'attempt', l.attempt, 'stream', l.stream, 'seq', l.seq,
      'data', l.chunk, 'loggedAt', l.logged_at) AS entry
    FROM task_logs l
    WHERE l.task_id = ${query.taskId}::uuid
      AND l.attempt = coalesce(${query.attempt ?? null}::int, (SELECT attempt FROM tasks WHERE id = ${query.taskId}::uuid))
      AND ${query.stream === undefined ? sql`true` : sql`l.stream = ${query.stream}`}
      AND l.seq >= ${query.fromSeq}
    ORDER BY l.stream, l.seq LIMIT ${query.limit}`.pipe(
    Effect.flatMap((rows) => decodeEntries(rows.map((row) => row.entry))),
  )
