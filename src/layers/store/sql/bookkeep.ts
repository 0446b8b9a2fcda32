/**
 * The closing statement of a settling transaction, in one round trip: striped experiment counters
 * (as adjustLoad), workers' completed/failed tallies, and the transaction's notifications.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId, WorkerId } from "../../../domain/Ids.js"
import type { LoadDelta } from "./adjustLoad.js"
import { stripe } from "./adjustLoad.js"

export interface WorkerTally {
  readonly completed: number
  readonly failed: number
}

export interface Notification {
  readonly channel: string
  readonly payload: string
}

export interface Bookkeeping {
  readonly deltas: ReadonlyMap<ExperimentId, LoadDelta>
  readonly tallies: ReadonlyMap<WorkerId, WorkerTally>
  readonly notifications: ReadonlyArray<Notification>
}

const byKey = <K extends string, V>(map: ReadonlyMap<K, V>): Array<[K, V]> =>
  [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

export const bookkeep = (sql: SqlClient.SqlClient, book: Bookkeeping) => {
  const deltas = byKey(book.deltas).filter(
    ([, d]) => d.running !== 0 || d.completed !== 0 || d.failed !== 0 || d.canceled !== 0,
  )
  const tallies = byKey(book.tallies)
  return deltas.length === 0 && tallies.length === 0 && book.notifications.length === 0
    ? Effect.void
    : sql`WITH load AS (
          INSERT INTO experiment_load (experiment_id, stripe, running, completed, failed, canceled)
          SELECT u.id, ${sql.literal(stripe)}, u.running, u.completed, u.failed, u.canceled
          FROM unnest(${deltas.map(([id]) => id)}::text[], ${deltas.map(([, d]) => d.running)}::int[],
            ${deltas.map(([, d]) => d.completed)}::int[], ${deltas.map(([, d]) => d.failed)}::int[],
            ${deltas.map(([, d]) => d.canceled)}::int[]) AS u(id, running, completed, failed, canceled)
          ORDER BY u.id
          ON CONFLICT (experiment_id, stripe) DO UPDATE SET
            running = experiment_load.running + excluded.running,
            completed = experiment_load.completed + excluded.completed,
            failed = experiment_load.failed + excluded.failed,
            canceled = experiment_load.canceled + excluded.canceled
          RETURNING 1
        ), credited AS (
          UPDATE workers w SET tasks_completed = w.tasks_completed + u.completed,
            tasks_failed = w.tasks_failed + u.failed
          FROM unnest(${tallies.map(([id]) => id)}::text[], ${tallies.map(([, t]) => t.completed)}::int[],
            ${tallies.map(([, t]) => t.failed)}::int[]) AS u(id, completed, failed)
          WHERE w.id = u.id
          RETURNING 1
        ), notified AS (
          SELECT pg_notify(n.channel, n.payload)
          FROM unnest(${book.notifications.map((n) => n.channel)}::text[],
            ${book.notifications.map((n) => n.payload)}::text[]) AS n(channel, payload)
        )
        SELECT (SELECT count(*) FROM load) + (SELECT count(*) FROM credited) + (SELECT count(*) FROM notified)
          AS written`.pipe(Effect.asVoid)
}
