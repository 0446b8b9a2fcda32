/**
 * Inserts one batch of task instances as a single multi-row INSERT over unnest'ed arrays (the
 * statement's size does not grow with the batch). A task waiting on nothing is inserted QUEUED,
 * the CREATED → QUEUED move done at birth.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId, TaskId } from "../../../domain/Ids.js"

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

const column = <K extends keyof TaskRow>(rows: ReadonlyArray<TaskRow>, key: K): Array<TaskRow[K]> =>
  rows.map((row) => row[key])

/** The INSERT statement, for use on its own or inside a larger one (insertSmallExperiment). */
export const tasksInsert = (
  sql: SqlClient.SqlClient,
  experimentId: ExperimentId,
  rows: ReadonlyArray<TaskRow>,
  now: Date,
) =>
  sql`INSERT INTO tasks (id, experiment_id, key, name, task_index, status, priority, requested_priority,
        script, handler, inputs, outputs, environment, pending_deps, retries, backoff_base_ms, backoff_factor,
        backoff_max_ms, backoff_jitter, timeout_seconds, cpu_cores, memory_mb, disk_gb, gpus, walltime,
        not_before, created_at, updated_at)
      SELECT u.id, ${experimentId}, u.key, u.name, u.idx, CASE WHEN u.pending = 0 THEN 'QUEUED' ELSE 'CREATED' END,
        u.priority, u.priority, u.script, u.handler, u.inputs::jsonb, u.outputs::jsonb, u.environment::jsonb,
        u.pending, u.retries, u.base_ms, u.factor, u.max_ms, u.jitter, u.timeout, u.cpu, u.mem, u.disk, u.gpus,
        u.walltime, ${now}, ${now}, ${now}
      FROM unnest(${column(rows, "id")}::uuid[], ${column(rows, "key")}::text[], ${column(rows, "name")}::text[],
        ${column(rows, "index")}::int[], ${column(rows, "priority")}::int[], ${column(rows, "script")}::text[],
        ${column(rows, "handler")}::text[], ${column(rows, "inputs")}::text[], ${column(rows, "outputs")}::text[],
        ${column(rows, "environment")}::text[], ${column(rows, "pending")}::int[], ${column(rows, "retries")}::int[],
        ${column(rows, "baseMs")}::int[], ${column(rows, "factor")}::float8[], ${column(rows, "maxMs")}::int[],
        ${column(rows, "jitter")}::float8[], ${column(rows, "timeoutSeconds")}::int[],
        ${column(rows, "cpuCores")}::int[], ${column(rows, "memoryMB")}::int[], ${column(rows, "diskGB")}::int[],
        ${column(rows, "gpus")}::int[], ${column(rows, "walltime")}::text[])
        AS u(id, key, name, idx, priority, script, handler, inputs, outputs, environment, pending, retries,
          base_ms, factor, max_ms, jitter, timeout, cpu, mem, disk, gpus, walltime)`

export const insertTasks = (
  sql: SqlClient.SqlClient,
  experimentId: ExperimentId,
  rows: ReadonlyArray<TaskRow>,
  now: Date,
) => (rows.length === 0 ? Effect.void : tasksInsert(sql, experimentId, rows, now).pipe(Effect.asVoid))
