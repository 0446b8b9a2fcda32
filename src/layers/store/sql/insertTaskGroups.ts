/** One task group per spec task name, with its instance count, in topological order. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId } from "../../../domain/Ids.js"

export const insertTaskGroups = (
  sql: SqlClient.SqlClient,
  experimentId: ExperimentId,
  counts: ReadonlyArray<{ readonly name: string; readonly count: number }>,
) =>
  counts.length === 0
    ? Effect.void
    : sql`INSERT INTO task_groups (experiment_id, name, position, total)
        SELECT ${experimentId}, u.name, u.position - 1, u.total
        FROM unnest(${counts.map((c) => c.name)}::text[], ${counts.map((c) => c.count)}::int[])
          WITH ORDINALITY AS u(name, total, position)`.pipe(Effect.asVoid)
