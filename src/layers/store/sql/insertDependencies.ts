/** Instance edges (`task` waits for `dependsOn`) and task-name barriers of one batch. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId, TaskId } from "../../../domain/Ids.js"

export interface Edge {
  readonly dependsOn: TaskId
  readonly task: TaskId
}

/** The INSERT statement, for use on its own or inside a larger one (insertSmallExperiment). */
export const edgesInsert = (sql: SqlClient.SqlClient, edges: ReadonlyArray<Edge>) =>
  sql`INSERT INTO task_dependencies (depends_on, task_id)
    SELECT * FROM unnest(${edges.map((e) => e.dependsOn)}::uuid[], ${edges.map((e) => e.task)}::uuid[])`

export const insertEdges = (sql: SqlClient.SqlClient, edges: ReadonlyArray<Edge>) =>
  edges.length === 0 ? Effect.void : edgesInsert(sql, edges).pipe(Effect.asVoid)

export interface Barrier {
  readonly before: string
  readonly after: string
}

/** Adds barriers (once each) and marks the groups they wait on as tracked. */
export const insertBarriers = (
  sql: SqlClient.SqlClient,
  experimentId: ExperimentId,
  barriers: ReadonlyArray<Barrier>,
) =>
  barriers.length === 0
    ? Effect.void
    : sql`WITH pairs AS (
          SELECT * FROM unnest(${barriers.map((b) => b.before)}::text[], ${barriers.map((b) => b.after)}::text[])
            AS p(before_name, after_name)
        ), added AS (
          INSERT INTO task_barriers (experiment_id, before_name, after_name)
          SELECT ${experimentId}, before_name, after_name FROM pairs
          ON CONFLICT DO NOTHING
        )
        UPDATE task_groups SET tracked = true
        WHERE experiment_id = ${experimentId} AND name IN (SELECT before_name FROM pairs) AND NOT tracked`.pipe(
        Effect.asVoid,
      )
