/** Ids of an experiment's FAILED tasks (an index scan of the partial tasks_unsuccessful). */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { type ExperimentId, TaskId } from "../../../domain/Ids.js"
import { rowDecoder } from "../Rows.js"

const decodeIds = rowDecoder(Schema.Array(Schema.Struct({ id: TaskId })))

export const selectFailedTasks = (sql: SqlClient.SqlClient, experimentId: ExperimentId) =>
  sql`SELECT id::text AS id FROM tasks WHERE experiment_id = ${experimentId} AND status = 'FAILED'`.pipe(
    Effect.flatMap(decodeIds),
    Effect.map((rows) => rows.map((row) => row.id)),
  )
