/** A worker with the hash of its token (which never leaves the store inside a Worker). */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import type { WorkerId } from "../../../domain/Ids.js"
import { Worker } from "../../../domain/Worker.js"
import { workerJson } from "../Projections.js"
import { rowDecoder } from "../Rows.js"

const decodeRows = rowDecoder(
  Schema.Array(Schema.Struct({ worker: Worker, tokenHash: Schema.NullOr(Schema.String) })),
)

export const selectWorker = (sql: SqlClient.SqlClient, id: WorkerId, lock: boolean) =>
  sql`SELECT ${sql.literal(workerJson("w"))} AS worker, w.token_hash AS "tokenHash" FROM workers w
    WHERE w.id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`.pipe(
    Effect.flatMap(decodeRows),
    Effect.map((rows) => rows[0]),
  )
