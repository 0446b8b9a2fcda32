/** One task group per spec task name, with its instance count, in topological order. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId } from "../../../domain/Ids.js"

type Counts = ReadonlyArray<{ readonly name: string; readonly count: number }>

/**
 * The INSERT statement; `tracked` names the groups some barrier waits on, when they are known
 * up front (insertSmallExperiment) — otherwise insertBarriers marks them later.
 */
export const taskGroupsInsert = (
  sql: SqlClient.SqlClient,
  experimentId: ExperimentId,
  counts: Counts,
  tracked: ReadonlySet<string> = new Set(),
) =>
  sql`INSERT INTO task_groups (experiment_id, name, position, total, tracked)
    SELECT ${experimentId}, u.name, u.position - 1, u.total, u.tracked
    FROM unnest(${counts.map((c) => c.name)}::text[], ${counts.map((c) => c.count)}::int[],
      ${counts.map((c) => tracked.has(c.name))}::boolean[])
      WITH ORDINALITY AS u(name, total, tracked, position)`

export const insertTaskGroups = (sql: SqlClient.SqlClient, experimentId: ExperimentId, counts: Counts) =>
  counts.length === 0 ? Effect.void : taskGroupsInsert(sql, experimentId, counts).pipe(Effect.asVoid)
