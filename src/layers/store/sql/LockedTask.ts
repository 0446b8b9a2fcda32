/** The columns a transition needs of a task it has locked: identity, version, lease and retry policy. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { Attempt, ExperimentId, TaskId, WorkerId } from "../../../domain/Ids.js"
import { Backoff } from "../../../domain/RetryPolicy.js"
import { TaskStatus } from "../../../domain/Status.js"
import { rowDecoder } from "../Rows.js"

export class LockedTask extends Schema.Class<LockedTask>("LockedTask")({
  id: TaskId,
  experimentId: ExperimentId,
  key: Schema.String,
  name: Schema.String,
  status: TaskStatus,
  attempt: Attempt,
  retryBase: Schema.Int,
  retries: Schema.Int,
  backoff: Backoff,
  leaseOwner: Schema.NullOr(WorkerId),
  /** Some task waits on this one through an instance edge. */
  hasDependents: Schema.Boolean,
  /** Its task name has barrier dependents, so its completions are counted on its group. */
  tracked: Schema.Boolean,
}) {}

/** SELECT list producing a LockedTask of the row aliased `t`. */
const lockedTaskColumns = (t: string) => `${t}.id::text AS "id", ${t}.experiment_id AS "experimentId",
  ${t}.key AS "key", ${t}.name AS "name", ${t}.status AS "status", ${t}.attempt AS "attempt",
  ${t}.retry_base AS "retryBase", ${t}.retries AS "retries",
  jsonb_build_object('baseMs', ${t}.backoff_base_ms, 'factor', ${t}.backoff_factor,
    'maxMs', ${t}.backoff_max_ms, 'jitter', ${t}.backoff_jitter) AS "backoff",
  ${t}.lease_owner AS "leaseOwner",
  EXISTS (SELECT 1 FROM task_dependencies d WHERE d.depends_on = ${t}.id) AS "hasDependents",
  coalesce((SELECT g.tracked FROM task_groups g
    WHERE g.experiment_id = ${t}.experiment_id AND g.name = ${t}.name), false) AS "tracked"`

const decodeLocked = rowDecoder(Schema.Array(LockedTask))

/** Locks the tasks, in id order so concurrent batches cannot deadlock on each other. */
export const lockTasks = (sql: SqlClient.SqlClient, ids: ReadonlyArray<TaskId>) =>
  ids.length === 0
    ? Effect.succeed([])
    : Effect.flatMap(
        sql`SELECT ${sql.literal(lockedTaskColumns("t"))} FROM tasks t
          WHERE t.id = ANY(${ids}::uuid[]) ORDER BY t.id FOR UPDATE`,
        decodeLocked,
      )

/**
 * Locks up to `limit` tasks whose lease expired before `now`, skipping rows another reaper or
 * reporter holds, so reapers on several replicas share the work instead of queueing.
 *
 * Read by a plain index scan of `tasks_leases`, in its order (worker, then expiry; the reaper also
 * disables the other scans, `byIndexScans` in Leases.ts). Every lease that ended leaves a dead
 * entry there until VACUUM, and once its expiry has passed it falls in this range. Ordered by
 * expiry alone, the plan was a bitmap scan, or a scan of the whole table (the generic plan a
 * prepared statement keeps, made while the table was small), which visits the heap page of every
 * such entry on every run and never marks it: the reaper's cost grew with every task completed
 * since the last vacuum (4,262 pages a run after 100,000 tasks). An index scan marks each dead
 * entry it meets, and later runs skip it (93 pages, the index's own). Which expired leases come
 * first matters only beyond `limit`.
 */
export const lockExpiredLeases = (sql: SqlClient.SqlClient, now: Date, limit: number) =>
  Effect.flatMap(
    sql`SELECT ${sql.literal(lockedTaskColumns("t"))} FROM tasks t
      WHERE t.lease_owner IS NOT NULL AND t.lease_expires_at < ${now}
      ORDER BY t.lease_owner, t.lease_expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
    decodeLocked,
  )

/** Locks every task leased to the worker. */
export const lockWorkerLeases = (sql: SqlClient.SqlClient, workerId: WorkerId) =>
  Effect.flatMap(
    sql`SELECT ${sql.literal(lockedTaskColumns("t"))} FROM tasks t
      WHERE t.lease_owner = ${workerId} ORDER BY t.id FOR UPDATE`,
    decodeLocked,
  )
