/**
 * Registers a worker, or refreshes the registration of a known one that is not TERMINATED (its
 * status is left alone). Returns the worker; none when it exists and is TERMINATED.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { WorkerRegistration } from "../../../ports/StoreModel.js"
import { decodeWorkers, workerJson } from "../Projections.js"

export const upsertWorker = (sql: SqlClient.SqlClient, r: WorkerRegistration, now: Date) =>
  sql`INSERT INTO workers AS w (id, compute_resource_id, experiment_id, user_id, status, cpu_cores, memory_mb,
      disk_gb, gpus, slots, walltime, compute_job_id, token_hash, metadata, registered_at, updated_at)
    VALUES (${r.id}, ${r.computeResourceId}, ${r.experimentId ?? null}, ${r.userId ?? null}, 'REGISTERED',
      ${r.capabilities.cpuCores}, ${r.capabilities.memoryMB}, ${r.capabilities.diskGB}, ${r.capabilities.gpus},
      ${r.slots}, ${r.walltime ?? null}, ${r.computeJobId ?? null}, ${r.tokenHash ?? null},
      ${JSON.stringify(r.metadata)}::jsonb, ${now}, ${now})
    ON CONFLICT (id) DO UPDATE SET compute_resource_id = excluded.compute_resource_id,
      experiment_id = excluded.experiment_id, user_id = excluded.user_id, cpu_cores = excluded.cpu_cores,
      memory_mb = excluded.memory_mb, disk_gb = excluded.disk_gb, gpus = excluded.gpus, slots = excluded.slots,
      walltime = excluded.walltime, compute_job_id = excluded.compute_job_id,
      token_hash = coalesce(excluded.token_hash, w.token_hash), metadata = excluded.metadata,
      updated_at = excluded.updated_at
    WHERE w.status <> 'TERMINATED'
    RETURNING ${sql.literal(workerJson("w"))} AS worker`.pipe(
    Effect.flatMap((rows) => decodeWorkers(rows, "worker")),
    Effect.map((workers) => workers[0]),
  )
