/**
 * The claim: ONE statement that picks up to `max` eligible tasks for a worker and leases them.
 *
 * Eligible: experiment EXECUTING (not PAUSED), task QUEUED (so its dependencies are done),
 * `not_before` passed, requirements within the worker's capabilities. Order: priority, then fair
 * share — the owner, then the project, with the fewest running tasks first, counting the tasks this
 * very claim hands out (row_number), so one batch interleaves users — then age (`seq`).
 *
 * Each runnable experiment contributes its first `max` unlocked candidates from the partial queue
 * index (FOR UPDATE SKIP LOCKED inside the LATERAL, so concurrent claimers walk past each other
 * instead of queueing); the best `max` of those are moved QUEUED → DATA_STAGING with attempt + 1,
 * lease owner and expiry, an attempt row, and the running counter on this session's stripe.
 *
 * The claim commits without waiting for its WAL flush (synchronous_commit off for this statement
 * only): it sits on the path from submit to start, and a flush costs 0.4–0.8 ms here. A claim lost
 * to a database crash only puts its tasks back in the queue: the worker's reports of them are then
 * fenced out, and they run again, as after a lost worker. A later synchronous commit (the
 * completion of these very tasks) flushes the claim with it, so no completion outlives its claim.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { WorkerId } from "../../../domain/Ids.js"
import { stripe } from "./adjustLoad.js"

export interface ClaimParams {
  readonly workerId: WorkerId
  readonly max: number
  readonly now: Date
  readonly leaseUntil: Date
}

/** The select list of a leased task row of `relation` as the claim returns it (Claims.ts decodes it). */
export const claimedColumns = (relation: string) =>
  `${relation}.id::text AS "taskId", ${relation}.experiment_id AS "experimentId", ${relation}.key AS "key",
      ${relation}.name AS "name", ${relation}.task_index AS "index", ${relation}.attempt AS "attempt",
      ${relation}.lease_owner AS "workerId",
      ${relation}.script AS "script", ${relation}.handler AS "handler", ${relation}.inputs AS "inputs",
      ${relation}.outputs AS "outputs", ${relation}.environment AS "environment",
      ${relation}.cpu_cores AS "cpuCores", ${relation}.memory_mb AS "memoryMB", ${relation}.disk_gb AS "diskGB",
      ${relation}.gpus AS "gpus", ${relation}.timeout_seconds AS "timeoutSeconds",
      ${relation}.lease_expires_at AS "leaseExpiresAt"`

export const claimTasks = (sql: SqlClient.SqlClient, p: ClaimParams) =>
  sql`WITH worker AS (
      SELECT id, compute_resource_id, cpu_cores, memory_mb, disk_gb, gpus FROM workers
      WHERE id = ${p.workerId} AND status IN ('REGISTERED', 'IDLE', 'BUSY')
    ), active AS (
      -- The load of each active experiment by its key: a join let the planner scan every
      -- experiment's counters, finished ones included.
      SELECT e.id, e.owner_id, e.project_id, e.status, coalesce(l.running, 0) AS running
      FROM experiments e
      LEFT JOIN LATERAL (
        SELECT sum(l.running) AS running FROM experiment_load l WHERE l.experiment_id = e.id
      ) l ON true
      WHERE e.status IN ('EXECUTING', 'PAUSED')
    ), shares AS (
      SELECT id, owner_id, project_id, status,
        sum(running) OVER (PARTITION BY owner_id) AS owner_running,
        sum(running) OVER (PARTITION BY project_id) AS project_running
      FROM active
    ), candidates AS (
      SELECT c.id, c.priority, c.seq, s.owner_id, s.project_id, s.owner_running, s.project_running
      FROM shares s
      CROSS JOIN worker w
      CROSS JOIN LATERAL (
        SELECT t.id, t.priority, t.seq FROM tasks t
        WHERE t.experiment_id = s.id AND t.status = 'QUEUED' AND t.not_before <= ${p.now}
          AND t.cpu_cores <= w.cpu_cores AND t.memory_mb <= w.memory_mb
          AND t.disk_gb <= w.disk_gb AND t.gpus <= w.gpus
        ORDER BY t.priority DESC, t.seq
        LIMIT ${p.max}
        FOR UPDATE OF t SKIP LOCKED
      ) c
      WHERE s.status = 'EXECUTING'
    ), picked AS (
      SELECT id FROM (
        SELECT id, priority, seq,
          owner_running + row_number() OVER (PARTITION BY owner_id ORDER BY priority DESC, seq) AS owner_load,
          project_running + row_number() OVER (PARTITION BY project_id ORDER BY priority DESC, seq) AS project_load
        FROM candidates
      ) ranked
      ORDER BY priority DESC, owner_load, project_load, seq
      LIMIT ${p.max}
    ), claimed AS (
      UPDATE tasks t SET status = 'DATA_STAGING', attempt = t.attempt + 1, lease_owner = w.id,
        lease_expires_at = ${p.leaseUntil}, compute_resource_id = w.compute_resource_id, updated_at = ${p.now}
      FROM picked, worker w
      WHERE t.id = picked.id
      RETURNING t.*
    ), attempts AS (
      INSERT INTO task_attempts (task_id, attempt, worker_id, status, started_at)
      SELECT id, attempt, lease_owner, 'DATA_STAGING', ${p.now} FROM claimed
    ), counted AS (
      INSERT INTO experiment_load (experiment_id, stripe, running)
      SELECT experiment_id, ${sql.literal(stripe)}, count(*) FROM claimed
      GROUP BY experiment_id ORDER BY experiment_id
      ON CONFLICT (experiment_id, stripe) DO UPDATE SET running = experiment_load.running + excluded.running
    ), relaxed AS (
      SELECT set_config('synchronous_commit', 'off', true)
    )
    SELECT ${sql.literal(claimedColumns("claimed"))}
    FROM claimed CROSS JOIN relaxed`
