/** A keyset page of an experiment's tasks in insertion order (`seq`), optionally of one status. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import type { TaskQuery } from "../../../ports/StoreModel.js"
import { decodeTasks, taskJson } from "../Projections.js"
import { rowDecoder } from "../Rows.js"

const decodeSeqs = rowDecoder(Schema.Array(Schema.Struct({ seq: Schema.String })))

/** Up to `limit + 1` tasks after `afterSeq`: the extra one only tells that another page exists. */
export const listTasks = (sql: SqlClient.SqlClient, query: TaskQuery, afterSeq: string) =>
  Effect.gen(function* () {
    const rows = yield* sql`SELECT ${sql.literal(taskJson("t"))} AS task, t.seq::text AS seq FROM tasks t
      WHERE t.experiment_id = ${query.experimentId}
        AND ${query.status === undefined ? sql`true` : sql`t.status = ${query.status}`}
        AND t.seq > ${afterSeq}::bigint
      ORDER BY t.seq LIMIT ${query.limit + 1}`
    const tasks = yield* decodeTasks(rows, "task")
    const seqs = yield* decodeSeqs(rows)
    return { tasks, seqs: seqs.map((row) => row.seq) }
  })
