/**
 * What completing tasks unblocks. Instance edges: each dependent's pending count drops by the
 * number of its upstream tasks that just completed. Barriers: completions are counted on their
 * task group (tracked groups only); a group reaching its total releases one pending dependency
 * of every waiting instance of each task name that waits on it. A dependent reaching 0 moves
 * CREATED → QUEUED. Returns the experiments that gained queued tasks.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { ExperimentId, type TaskId } from "../../../domain/Ids.js"
import { rowDecoder } from "../Rows.js"

export interface Completed {
  readonly id: TaskId
  readonly experimentId: ExperimentId
  readonly name: string
  readonly hasDependents: boolean
  readonly tracked: boolean
}

const Released = Schema.Array(Schema.Struct({ experimentId: ExperimentId, queued: Schema.Boolean }))
const decodeReleased = rowDecoder(Released)

const releasedBy = (rows: ReadonlyArray<unknown>) =>
  Effect.map(decodeReleased(rows), (released) =>
    released.filter((row) => row.queued).map((row) => row.experimentId),
  )

const viaEdges = (sql: SqlClient.SqlClient, completed: ReadonlyArray<Completed>, now: Date) =>
  sql`WITH dec AS (
      SELECT d.task_id, count(*)::int AS n FROM task_dependencies d
      WHERE d.depends_on = ANY(${completed.map((c) => c.id)}::uuid[])
      GROUP BY d.task_id
    )
    UPDATE tasks t SET pending_deps = t.pending_deps - dec.n, updated_at = ${now},
      status = CASE WHEN t.pending_deps = dec.n THEN 'QUEUED' ELSE t.status END
    FROM dec WHERE t.id = dec.task_id AND t.status = 'CREATED'
    RETURNING t.experiment_id AS "experimentId", t.status = 'QUEUED' AS "queued"`

const viaBarriers = (sql: SqlClient.SqlClient, completed: ReadonlyArray<Completed>, now: Date) =>
  sql`WITH done AS (
      SELECT experiment_id, name, count(*)::int AS n
      FROM unnest(${completed.map((c) => c.experimentId)}::text[], ${completed.map((c) => c.name)}::text[])
        AS u(experiment_id, name)
      GROUP BY experiment_id, name
    ), bumped AS (
      UPDATE task_groups g SET completed = g.completed + done.n FROM done
      WHERE g.experiment_id = done.experiment_id AND g.name = done.name AND g.tracked
      RETURNING g.experiment_id, g.name, g.completed = g.total AS finished
    ), released AS (
      SELECT b.experiment_id, b.after_name, count(*)::int AS n
      FROM bumped JOIN task_barriers b ON b.experiment_id = bumped.experiment_id AND b.before_name = bumped.name
      WHERE bumped.finished
      GROUP BY b.experiment_id, b.after_name
    )
    UPDATE tasks t SET pending_deps = t.pending_deps - r.n, updated_at = ${now},
      status = CASE WHEN t.pending_deps = r.n THEN 'QUEUED' ELSE t.status END
    FROM released r
    WHERE t.experiment_id = r.experiment_id AND t.name = r.after_name AND t.status = 'CREATED'
    RETURNING t.experiment_id AS "experimentId", t.status = 'QUEUED' AS "queued"`

/** Flat sweeps skip both statements: only tasks known to have dependents are looked at. */
export const releaseDependents = (sql: SqlClient.SqlClient, completed: ReadonlyArray<Completed>, now: Date) =>
  Effect.gen(function* () {
    const upstream = completed.filter((c) => c.hasDependents)
    const counted = completed.filter((c) => c.tracked)
    const edges = upstream.length === 0 ? [] : yield* Effect.flatMap(viaEdges(sql, upstream, now), releasedBy)
    const barriers =
      counted.length === 0 ? [] : yield* Effect.flatMap(viaBarriers(sql, counted, now), releasedBy)
    return [...edges, ...barriers]
  })
