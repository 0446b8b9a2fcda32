/**
 * Adds to experiments' striped task counters (running, completed, failed, canceled), on the
 * stripe of this database session, so concurrent writers rarely touch the same row. Rows are
 * written in experiment order, so two transactions never lock the same rows in opposite orders.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId } from "../../../domain/Ids.js"

/** SQL expression of this session's stripe. */
export const stripe = "(pg_backend_pid() % 16)::smallint"

export interface LoadDelta {
  readonly running: number
  readonly completed: number
  readonly failed: number
  readonly canceled: number
}

export const noDelta: LoadDelta = { running: 0, completed: 0, failed: 0, canceled: 0 }

/** Adds `delta` to experiment `id`'s entry of `deltas`. */
export const addDelta = (
  deltas: Map<ExperimentId, LoadDelta>,
  id: ExperimentId,
  delta: Partial<LoadDelta>,
): void => {
  const current = deltas.get(id) ?? noDelta
  deltas.set(id, {
    running: current.running + (delta.running ?? 0),
    completed: current.completed + (delta.completed ?? 0),
    failed: current.failed + (delta.failed ?? 0),
    canceled: current.canceled + (delta.canceled ?? 0),
  })
}

export const adjustLoad = (sql: SqlClient.SqlClient, deltas: ReadonlyMap<ExperimentId, LoadDelta>) => {
  const entries = [...deltas]
    .filter(([, d]) => d.running !== 0 || d.completed !== 0 || d.failed !== 0 || d.canceled !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return entries.length === 0
    ? Effect.void
    : sql`INSERT INTO experiment_load (experiment_id, stripe, running, completed, failed, canceled)
        SELECT u.id, ${sql.literal(stripe)}, u.running, u.completed, u.failed, u.canceled
        FROM unnest(${entries.map(([id]) => id)}::text[], ${entries.map(([, d]) => d.running)}::int[],
          ${entries.map(([, d]) => d.completed)}::int[], ${entries.map(([, d]) => d.failed)}::int[],
          ${entries.map(([, d]) => d.canceled)}::int[]) AS u(id, running, completed, failed, canceled)
        ORDER BY u.id
        ON CONFLICT (experiment_id, stripe) DO UPDATE SET
          running = experiment_load.running + excluded.running,
          completed = experiment_load.completed + excluded.completed,
          failed = experiment_load.failed + excluded.failed,
          canceled = experiment_load.canceled + excluded.canceled`.pipe(Effect.asVoid)
}
