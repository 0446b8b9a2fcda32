/** One task and its attempts, oldest first. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { TaskId } from "../../../domain/Ids.js"
import { attemptJson, decodeAttempts, decodeTasks, taskJson } from "../Projections.js"

export const selectTask = (sql: SqlClient.SqlClient, id: TaskId) =>
  Effect.gen(function* () {
    const tasks =
      yield* sql`SELECT ${sql.literal(taskJson("t"))} AS task FROM tasks t WHERE t.id = ${id}::uuid`.pipe(
        Effect.flatMap((rows) => decodeTasks(rows, "task")),
      )
    const task = tasks[0]
    if (task === undefined) return undefined
    const attempts = yield* sql`SELECT ${sql.literal(attemptJson("a"))} AS attempt FROM task_attempts a
      WHERE a.task_id = ${id}::uuid ORDER BY a.attempt`.pipe(
      Effect.flatMap((rows) => decodeAttempts(rows, "attempt")),
    )
    return { task, attempts }
  })
