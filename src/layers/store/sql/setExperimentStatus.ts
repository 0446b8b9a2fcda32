/**
 * Compare-and-set of an experiment's status: moves it from `from` to `to` (already checked against
 * ExperimentMachine by the caller) and keeps its timestamps consistent with the status. Returns
 * false when the experiment was not in `from`.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Option, Schema } from "effect"
import type { ExperimentId } from "../../../domain/Ids.js"
import { ExperimentStatus } from "../../../domain/Status.js"
import { rowDecoder } from "../Rows.js"

const finished: ReadonlyArray<ExperimentStatus> = ["COMPLETED", "FAILED", "CANCELED"]

export const setExperimentStatus = (
  sql: SqlClient.SqlClient,
  id: ExperimentId,
  from: ExperimentStatus,
  to: ExperimentStatus,
  now: Date,
) =>
  Effect.map(
    sql`UPDATE experiments SET status = ${to}, updated_at = ${now},
        started_at = coalesce(started_at, ${to === "EXECUTING" ? now : null}::timestamptz),
        completed_at = ${finished.includes(to) ? now : null}::timestamptz
      WHERE id = ${id} AND status = ${from}
      RETURNING id`,
    (rows) => rows.length === 1,
  )

const StatusRows = Schema.Array(Schema.Struct({ status: ExperimentStatus }))
const decodeStatusRows = rowDecoder(StatusRows)

/** The experiment's status (none when it does not exist), locking its row for the rest of the transaction. */
export const lockExperiment = (sql: SqlClient.SqlClient, id: ExperimentId) =>
  sql`SELECT status FROM experiments WHERE id = ${id} FOR UPDATE`.pipe(
    Effect.flatMap((rows) => decodeStatusRows(rows)),
    Effect.map((rows) => Option.fromNullable(rows[0]?.status)),
  )
