/** Task output: workers stream chunks to whichever replica serves them, so logs live in the database. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import { EntityNotFound, type ServiceUnavailable } from "../../domain/Errors.js"
import type { LogChunk, LogEntry, LogQuery } from "../../ports/StoreModel.js"
import { isForeignKeyViolation, orUnavailable } from "./SqlFailures.js"
import { appendLogs as appendLogsSql } from "./sql/appendLogs.js"
import { readLogs as readLogsSql } from "./sql/readLogs.js"
import { isTaskIdShape } from "./TaskIds.js"
import { now as currentTime } from "./Time.js"

export const appendLogs =
  (sql: SqlClient.SqlClient) =>
  (chunks: ReadonlyArray<LogChunk>): Effect.Effect<void, EntityNotFound | ServiceUnavailable> =>
    Effect.gen(function* () {
      const malformed = chunks.find((chunk) => !isTaskIdShape(chunk.taskId))
      if (malformed !== undefined) return yield* new EntityNotFound({ entity: "task", id: malformed.taskId })
      const now = yield* currentTime
      yield* appendLogsSql(sql, chunks, now).pipe(
        Effect.catchIf(
          (error) =>
            error instanceof SqlError && isForeignKeyViolation(error, "task_logs_task_id_attempt_fkey"),
          () =>
            Effect.fail(
              new EntityNotFound({
                entity: "task",
                id: chunks.map((c) => `${c.taskId}#${c.attempt}`).join(", "),
              }),
            ),
        ),
      )
    }).pipe(
      orUnavailable,
      Effect.withSpan("Store.appendLogs", {
        attributes: { chunks: chunks.length },
        captureStackTrace: false,
      }),
    )

export const readLogs =
  (sql: SqlClient.SqlClient) =>
  (query: LogQuery): Effect.Effect<ReadonlyArray<LogEntry>, ServiceUnavailable> =>
    (isTaskIdShape(query.taskId) ? readLogsSql(sql, query) : Effect.succeed([])).pipe(
      orUnavailable,
      Effect.withSpan("Store.readLogs", { attributes: { taskId: query.taskId } }),
    )
