/** Number of an experiment's tasks per status (its tasks through tasks_by_experiment). */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import type { ExperimentId } from "../../../domain/Ids.js"
import { TaskStatus } from "../../../domain/Status.js"
import { rowDecoder } from "../Rows.js"

const Counts = Schema.Array(Schema.Struct({ status: TaskStatus, n: Schema.Int }))
const decodeCounts = rowDecoder(Counts)

export const countTasks = (sql: SqlClient.SqlClient, experimentId: ExperimentId) =>
  sql`SELECT status, count(*)::int AS n FROM tasks WHERE experiment_id = ${experimentId} GROUP BY status`.pipe(
    Effect.flatMap((rows) => decodeCounts(rows)),
  )
