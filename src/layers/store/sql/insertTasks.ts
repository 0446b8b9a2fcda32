/**
 * Inserts one batch of task instances as a single multi-row INSERT over unnest'ed arrays (the
 * statement's size does not grow with the batch). A task waiting on nothing is inserted QUEUED,
 * the CREATED → QUEUED move done at birth; one offered to a worker (`TaskLease`) is inserted
 * leased to it, the claim's QUEUED → DATA_STAGING move done at birth too, when the worker may
 * still claim and has the task's requirements (the claim's conditions), else QUEUED.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId, TaskId, WorkerId } from "../../../domain/Ids.js"

export interface TaskRow {
  readonly id: TaskId
  readonly key: string
  readonly name: string
  readonly index: number
  readonly priority: number
  readonly script: string
  readonly handler: string | null
  readonly inputs: string
  readonly outputs: string
  readonly environment: string
  readonly pending: number
  readonly retries: number
  readonly baseMs: number
  readonly factor: number
  readonly maxMs: number
  readonly jitter: number
  readonly timeoutSeconds: number | null
  readonly cpuCores: number
  readonly memoryMB: number
  readonly diskGB: number
  readonly gpus: number
  readonly walltime: string | null
}

/** Tasks of the batch offered to a worker as they are inserted. */
export interface TaskLease {
  readonly workerId: WorkerId
  readonly leaseUntil: Date
  /** By row: offered. Only rows waiting on nothing may be: the table's checks refuse a leased task that waits. */
  readonly offered: ReadonlyArray<boolean>
}

/**
 * Tasks added to an open experiment: numbered from the `added_task_index` sequence (their `key` and
 * `index` in the rows are ignored), inserted only where `accepting` holds and leased only where
 * `leasing` holds (SQL conditions, e.g. on the experiment's row locked by the enclosing statement).
 */
export interface AdditionGates {
  readonly accepting: string
  readonly leasing: string
}

const column = <K extends keyof TaskRow>(rows: ReadonlyArray<TaskRow>, key: K): Array<TaskRow[K]> =>
  rows.map((row) => row[key])

/** The INSERT statement, for use on its own or inside a larger one (insertSmallExperiment). */
export const tasksInsert = (
  sql: SqlClient.SqlClient,
  experimentId: ExperimentId,
  rows: ReadonlyArray<TaskRow>,
  now: Date,
  lease?: TaskLease,
  added?: AdditionGates,
) =>
  sql`INSERT INTO tasks (id, experiment_id, key, name, task_index, status, priority, requested_priority,
        script, handler, inputs, outputs, environment, pending_deps, retries, backoff_base_ms, backoff_factor,
        backoff_max_ms, backoff_jitter, timeout_seconds, cpu_cores, memory_mb, disk_gb, gpus, walltime,
        not_before, created_at, updated_at${lease === undefined ? sql.literal("") : sql.literal(leaseColumns)})
      SELECT u.id, ${experimentId}, ${sql.literal(added === undefined ? "u.key" : "u.name || '[' || u.seq || ']'")},
        u.name, ${sql.literal(added === undefined ? "u.idx" : "u.seq")}, CASE
          ${lease === undefined ? sql.literal("") : sql.literal("WHEN w.id IS NOT NULL THEN 'DATA_STAGING'")}
          WHEN u.pending = 0 THEN 'QUEUED' ELSE 'CREATED' END,
        u.priority, u.priority, u.script, u.handler, u.inputs::jsonb, u.outputs::jsonb, u.environment::jsonb,
        u.pending, u.retries, u.base_ms, u.factor, u.max_ms, u.jitter, u.timeout, u.cpu, u.mem, u.disk, u.gpus,
        u.walltime, ${now}, ${now}, ${now}${lease === undefined ? sql.literal("") : leaseValues(sql, lease)}
      FROM ${sql.literal(added === undefined ? "" : "(SELECT *, nextval('added_task_index')::int AS seq FROM")}
        unnest(${column(rows, "id")}::uuid[], ${column(rows, "key")}::text[], ${column(rows, "name")}::text[],
        ${column(rows, "index")}::int[], ${column(rows, "priority")}::int[], ${column(rows, "script")}::text[],
        ${column(rows, "handler")}::text[], ${column(rows, "inputs")}::text[], ${column(rows, "outputs")}::text[],
        ${column(rows, "environment")}::text[], ${column(rows, "pending")}::int[], ${column(rows, "retries")}::int[],
        ${column(rows, "baseMs")}::int[], ${column(rows, "factor")}::float8[], ${column(rows, "maxMs")}::int[],
        ${column(rows, "jitter")}::float8[], ${column(rows, "timeoutSeconds")}::int[],
        ${column(rows, "cpuCores")}::int[], ${column(rows, "memoryMB")}::int[], ${column(rows, "diskGB")}::int[],
        ${column(rows, "gpus")}::int[], ${column(rows, "walltime")}::text[]${
          lease === undefined ? sql.literal("") : sql`, ${lease.offered}::bool[]`
        })
        AS u(id, key, name, idx, priority, script, handler, inputs, outputs, environment, pending, retries,
          base_ms, factor, max_ms, jitter, timeout, cpu, mem, disk, gpus, walltime${
            lease === undefined ? sql.literal("") : sql.literal(", offered")
          })${sql.literal(added === undefined ? "" : ") AS u")}
      ${lease === undefined ? sql.literal("") : leaseJoin(sql, lease, added?.leasing ?? "true")}
      ${sql.literal(added === undefined ? "" : `WHERE ${added.accepting}`)}`

const leaseColumns = ", attempt, lease_owner, lease_expires_at, compute_resource_id"

// The claim's first attempt: attempt 1, the lease, where it runs.
const leaseValues = (sql: SqlClient.SqlClient, lease: TaskLease) =>
  sql`, CASE WHEN w.id IS NULL THEN 0 ELSE 1 END, w.id,
        CASE WHEN w.id IS NULL THEN NULL ELSE ${lease.leaseUntil}::timestamptz END, w.compute_resource_id`

// The claim's conditions on the worker (its status, its capabilities), per offered row.
const leaseJoin = (sql: SqlClient.SqlClient, lease: TaskLease, leasing: string) =>
  sql`LEFT JOIN workers w ON u.offered AND ${sql.literal(leasing)} AND w.id = ${lease.workerId}
        AND w.status IN ('REGISTERED', 'IDLE', 'BUSY')
        AND u.cpu <= w.cpu_cores AND u.mem <= w.memory_mb AND u.disk <= w.disk_gb AND u.gpus <= w.gpus`

export const insertTasks = (
  sql: SqlClient.SqlClient,
  experimentId: ExperimentId,
  rows: ReadonlyArray<TaskRow>,
  now: Date,
) => (rows.length === 0 ? Effect.void : tasksInsert(sql, experimentId, rows, now).pipe(Effect.asVoid))
