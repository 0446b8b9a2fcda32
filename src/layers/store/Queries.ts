/** Read-side operations: experiments, task counts, task pages, a task with its attempts. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { EntityNotFound, InvalidInput, type ServiceUnavailable } from "../../domain/Errors.js"
import type { ExperimentId, TaskId } from "../../domain/Ids.js"
import { TaskStatus } from "../../domain/Status.js"
import {
  type ExperimentQuery,
  type ExperimentSummary,
  type TaskCounts,
  TaskDetail,
  TaskPage,
  type TaskQuery,
} from "../../ports/StoreModel.js"
import { orUnavailable } from "./SqlFailures.js"
import { countTasks as countTasksSql } from "./sql/countTasks.js"
import { listTasks as listTasksSql } from "./sql/listTasks.js"
import { listSummaries, selectSummary } from "./sql/selectSummaries.js"
import { selectTask } from "./sql/selectTask.js"
import { isTaskIdShape } from "./TaskIds.js"

export const getExperiment =
  (sql: SqlClient.SqlClient) =>
  (id: ExperimentId): Effect.Effect<ExperimentSummary, EntityNotFound | ServiceUnavailable> =>
    selectSummary(sql, id).pipe(
      Effect.flatMap((summary) =>
        summary === undefined
          ? Effect.fail(new EntityNotFound({ entity: "experiment", id }))
          : Effect.succeed(summary),
      ),
      orUnavailable,
      Effect.withSpan("Store.getExperiment", { attributes: { experimentId: id } }),
    )

export const listExperiments =
  (sql: SqlClient.SqlClient) =>
  (query: ExperimentQuery): Effect.Effect<ReadonlyArray<ExperimentSummary>, ServiceUnavailable> =>
    listSummaries(sql, query).pipe(orUnavailable, Effect.withSpan("Store.listExperiments"))

export const countTasks =
  (sql: SqlClient.SqlClient) =>
  (id: ExperimentId): Effect.Effect<TaskCounts, EntityNotFound | ServiceUnavailable> =>
    Effect.gen(function* () {
      const rows = yield* countTasksSql(sql, id)
      if (rows.length === 0 && (yield* selectSummary(sql, id)) === undefined) {
        return yield* new EntityNotFound({ entity: "experiment", id })
      }
      const counts = Object.fromEntries(TaskStatus.literals.map((status) => [status, 0])) as Record<
        TaskStatus,
        number
      >
      for (const row of rows) counts[row.status] = row.n
      return counts
    }).pipe(orUnavailable, Effect.withSpan("Store.countTasks", { attributes: { experimentId: id } }))

const seqCursor = /^\d{1,19}$/

export const listTasks =
  (sql: SqlClient.SqlClient) =>
  (query: TaskQuery): Effect.Effect<TaskPage, InvalidInput | ServiceUnavailable> =>
    Effect.gen(function* () {
      const cursor = query.cursor ?? "0"
      if (!seqCursor.test(cursor)) {
        return yield* new InvalidInput({
          path: "cursor",
          expected: "a cursor returned as `next`",
          actual: cursor,
        })
      }
      const { tasks, seqs } = yield* listTasksSql(sql, query, cursor)
      const more = tasks.length > query.limit
      const next = more ? seqs[query.limit - 1] : undefined
      // Decoded rows: no second validation of every task.
      return TaskPage.make(
        { tasks: tasks.slice(0, query.limit), ...(next === undefined ? {} : { next }) },
        true,
      )
    }).pipe(
      orUnavailable,
      Effect.withSpan("Store.listTasks", { attributes: { experimentId: query.experimentId } }),
    )

export const getTask =
  (sql: SqlClient.SqlClient) =>
  (id: TaskId): Effect.Effect<TaskDetail, EntityNotFound | ServiceUnavailable> =>
    Effect.gen(function* () {
      const found = isTaskIdShape(id) ? yield* selectTask(sql, id) : undefined
      if (found === undefined) return yield* new EntityNotFound({ entity: "task", id })
      return TaskDetail.make(found, true)
    }).pipe(orUnavailable, Effect.withSpan("Store.getTask", { attributes: { taskId: id } }))
