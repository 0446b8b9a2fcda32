/** Experiments with their counters, as ExperimentSummary. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId } from "../../../domain/Ids.js"
import type { ExperimentQuery } from "../../../ports/StoreModel.js"
import { decodeSummaries, experimentLoadJoin, experimentSummaryJson } from "../Projections.js"

/** The experiment, if it exists. */
export const selectSummary = (sql: SqlClient.SqlClient, id: ExperimentId) =>
  sql`SELECT ${sql.literal(experimentSummaryJson("e"))} AS summary
    FROM experiments e ${sql.literal(experimentLoadJoin("e"))} WHERE e.id = ${id}`.pipe(
    Effect.flatMap((rows) => decodeSummaries(rows, "summary")),
    Effect.map((summaries) => summaries[0]),
  )

/** Experiments matching the query, newest first. */
export const listSummaries = (sql: SqlClient.SqlClient, query: ExperimentQuery) => {
  const filters = [
    ...(query.ownerId === undefined ? [] : [sql`e.owner_id = ${query.ownerId}`]),
    ...(query.projectId === undefined ? [] : [sql`e.project_id = ${query.projectId}`]),
    ...(query.status === undefined ? [] : [sql`e.status = ${query.status}`]),
  ]
  return sql`SELECT ${sql.literal(experimentSummaryJson("e"))} AS summary
    FROM experiments e ${sql.literal(experimentLoadJoin("e"))}
    WHERE ${filters.length === 0 ? sql`true` : sql.and(filters)}
    ORDER BY e.created_at DESC, e.id LIMIT ${query.limit} OFFSET ${query.offset}`.pipe(
    Effect.flatMap((rows) => decodeSummaries(rows, "summary")),
  )
}
