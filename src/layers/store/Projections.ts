/**
 * How rows become entities: each entity is assembled as JSON in SQL in exactly the encoded shape
 * of its domain Schema class (absent optionals left out, timestamps as ISO strings), then decoded
 * with that class, so PostgreSQL and PGlite (whose drivers differ on int8 and dates) decode alike.
 * A row that does not decode breaks an invariant the schema and the SQL share: a defect.
 */
import { Schema } from "effect"
import { Task } from "../../domain/Task.js"
import { TaskAttempt } from "../../domain/TaskAttempt.js"
import { Worker } from "../../domain/Worker.js"
import { ExperimentSummary } from "../../ports/StoreModel.js"
import { rowDecoder } from "./Rows.js"

// Nullable scalar columns go through jsonb_strip_nulls on their own, never user JSON (inputs,
// metadata), whose nulls are data.

/** `Task` of the row aliased `t`. */
export const taskJson = (t: string) => `(jsonb_build_object(
  'id', ${t}.id, 'experimentId', ${t}.experiment_id, 'key', ${t}.key, 'name', ${t}.name,
  'index', ${t}.task_index, 'status', ${t}.status, 'attempt', ${t}.attempt,
  'retry', jsonb_build_object('retries', ${t}.retries, 'backoff', jsonb_build_object(
      'baseMs', ${t}.backoff_base_ms, 'factor', ${t}.backoff_factor,
      'maxMs', ${t}.backoff_max_ms, 'jitter', ${t}.backoff_jitter))
    || jsonb_strip_nulls(jsonb_build_object('timeoutSeconds', ${t}.timeout_seconds)),
  'requirements', jsonb_build_object('cpuCores', ${t}.cpu_cores, 'memoryMB', ${t}.memory_mb,
      'diskGB', ${t}.disk_gb, 'gpus', ${t}.gpus, 'priority', ${t}.requested_priority)
    || jsonb_strip_nulls(jsonb_build_object('walltime', ${t}.walltime)),
  'priority', ${t}.priority, 'script', ${t}.script, 'inputs', ${t}.inputs, 'outputs', ${t}.outputs,
  'environment', ${t}.environment, 'inputFiles', ${t}.input_files,
  'pendingDependencies', ${t}.pending_deps, 'notBefore', ${t}.not_before, 'metadata', ${t}.metadata,
  'createdAt', ${t}.created_at, 'updatedAt', ${t}.updated_at)
  || jsonb_strip_nulls(jsonb_build_object('handler', ${t}.handler, 'leaseOwner', ${t}.lease_owner,
    'leaseExpiresAt', ${t}.lease_expires_at, 'computeResourceId', ${t}.compute_resource_id,
    'error', ${t}.error, 'startedAt', ${t}.started_at, 'completedAt', ${t}.completed_at)))`

/** `ExperimentSummary` of the experiment row aliased `e`. */
export const experimentSummaryJson = (e: string) => `jsonb_build_object(
  'experiment', jsonb_build_object('id', ${e}.id, 'name', ${e}.name, 'description', ${e}.description,
      'projectId', ${e}.project_id, 'ownerId', ${e}.owner_id, 'status', ${e}.status, 'spec', ${e}.spec,
      'requirements', ${e}.requirements, 'constraints', ${e}.constraints, 'totalTasks', ${e}.total_tasks + coalesce(${e}_load.added, 0),
      'open', ${e}.open, 'metadata', ${e}.metadata, 'createdAt', ${e}.created_at, 'updatedAt', ${e}.updated_at)
    || jsonb_strip_nulls(jsonb_build_object('startedAt', ${e}.started_at, 'completedAt', ${e}.completed_at)),
  'completedTasks', coalesce(${e}_load.completed, 0), 'failedTasks', coalesce(${e}_load.failed, 0),
  'canceledTasks', coalesce(${e}_load.canceled, 0), 'runningTasks', greatest(0, coalesce(${e}_load.running, 0)))`

/** Joins the summed counters of the experiment aliased `e` as \`${e}_load\`; use with experimentSummaryJson. */
export const experimentLoadJoin = (e: string) => `LEFT JOIN LATERAL (
  SELECT sum(l.running) AS running, sum(l.completed) AS completed, sum(l.failed) AS failed,
    sum(l.canceled) AS canceled, sum(l.added) AS added
  FROM experiment_load l WHERE l.experiment_id = ${e}.id) ${e}_load ON true`

/** `Worker` of the row aliased `w`. */
export const workerJson = (w: string) => `(jsonb_build_object(
  'id', ${w}.id, 'computeResourceId', ${w}.compute_resource_id, 'status', ${w}.status,
  'capabilities', jsonb_build_object('cpuCores', ${w}.cpu_cores, 'memoryMB', ${w}.memory_mb,
    'diskGB', ${w}.disk_gb, 'gpus', ${w}.gpus),
  'slots', ${w}.slots, 'tasksCompleted', ${w}.tasks_completed, 'tasksFailed', ${w}.tasks_failed,
  'metadata', ${w}.metadata, 'registeredAt', ${w}.registered_at, 'updatedAt', ${w}.updated_at)
  || jsonb_strip_nulls(jsonb_build_object('experimentId', ${w}.experiment_id, 'userId', ${w}.user_id,
    'walltime', ${w}.walltime, 'computeJobId', ${w}.compute_job_id,
    'lastHeartbeatAt', ${w}.last_heartbeat_at, 'terminatedAt', ${w}.terminated_at)))`

/** `TaskAttempt` of the row aliased `a`. */
export const attemptJson = (a: string) => `(jsonb_build_object(
  'taskId', ${a}.task_id, 'attempt', ${a}.attempt, 'workerId', ${a}.worker_id, 'status', ${a}.status,
  'startedAt', ${a}.started_at)
  || jsonb_strip_nulls(jsonb_build_object('endedAt', ${a}.ended_at, 'exitCode', ${a}.exit_code,
    'error', ${a}.error)))`

const decodeColumn = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = rowDecoder(Schema.Array(schema))
  return (rows: ReadonlyArray<{ readonly [column: string]: unknown }>, column: string) =>
    decode(rows.map((row) => row[column]))
}

/** Decodes column `column` of every row as a Task. */
export const decodeTasks = decodeColumn(Task)
/** Decodes column `column` of every row as an ExperimentSummary. */
export const decodeSummaries = decodeColumn(ExperimentSummary)
/** Decodes column `column` of every row as a Worker. */
export const decodeWorkers = decodeColumn(Worker)
/** Decodes column `column` of every row as a TaskAttempt. */
export const decodeAttempts = decodeColumn(TaskAttempt)
