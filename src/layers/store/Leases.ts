/**
 * Lease upkeep: heartbeats extend leases; the reaper takes back expired ones (requeued with
 * backoff, or FAILED when out of retries); a worker whose stream closed has its tasks requeued at
 * once. Taking a lease back never reuses its attempt number: the next claim adds one.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { DateTime, Duration, Effect, Option, Random } from "effect"
import { EntityNotFound, type ServiceUnavailable } from "../../domain/Errors.js"
import type { ExperimentId, WorkerId } from "../../domain/Ids.js"
import { retryDelay } from "../../domain/RetryPolicy.js"
import { TaskMachine } from "../../domain/StateMachine.js"
import { HeartbeatResult, HeldLease, Lease, RevokedLeases } from "../../ports/StoreModel.js"
import { applyActions } from "./Actions.js"
import { notifyReady } from "./Notify.js"
import type { Planned } from "./ReportPlan.js"
import { finishAfterCommit, settle } from "./Settlement.js"
import { transaction } from "./SqlFailures.js"
import { addDelta, adjustLoad, type LoadDelta } from "./sql/adjustLoad.js"
import { extendLeases } from "./sql/extendLeases.js"
import { finishExperiments } from "./sql/finishExperiments.js"
import { handBackTasks } from "./sql/handBackTasks.js"
import { type LockedTask, lockExpiredLeases, lockWorkerLeases } from "./sql/LockedTask.js"
import { isTaskIdShape } from "./TaskIds.js"
import { now as currentTime, plusMillis } from "./Time.js"

const held = (task: LockedTask): ReadonlyArray<HeldLease> =>
  task.leaseOwner === null
    ? []
    : [
        HeldLease.make({
          taskId: task.id,
          experimentId: task.experimentId,
          attempt: task.attempt,
          workerId: task.leaseOwner,
        }),
      ]

/** Requeues or fails `tasks`, whose leases are being taken back because `reason`. */
const revoke = (
  sql: SqlClient.SqlClient,
  tasks: ReadonlyArray<LockedTask>,
  now: Date,
  reason: string,
  backoff: boolean,
) =>
  Effect.gen(function* () {
    const planned: Array<Planned> = []
    const requeued: Array<HeldLease> = []
    const failed: Array<HeldLease> = []
    for (const task of tasks) {
      const used = task.attempt - task.retryBase
      if (used <= task.retries && TaskMachine.canTransition(task.status, "QUEUED")) {
        const delay = backoff ? Duration.toMillis(retryDelay(task.backoff, used, yield* Random.next)) : 0
        planned.push({
          task,
          action: {
            _tag: "Requeue",
            notBefore: plusMillis(now, delay),
            attemptStatus: "QUEUED",
            error: reason,
            exitCode: null,
          },
        })
        requeued.push(...held(task))
      } else {
        planned.push({ task, action: { _tag: "Fail", error: `${reason}; no retries left`, exitCode: null } })
        failed.push(...held(task))
      }
    }
    const outcomes = yield* applyActions(sql, planned, now, now)
    const finishable = yield* settle(sql, outcomes, now)
    return { revoked: RevokedLeases.make({ requeued, failed }, true), finishable }
  })

/**
 * Runs `effect`, inside a transaction, with indexes read by plain index scans. `experiments_active`
 * and `tasks_leases` collect a dead entry for every experiment that stopped being active and
 * every lease that ended (status and lease columns are in their keys or predicates, so those
 * updates cannot be HOT), until VACUUM. For the few rows these lookups return, the planner picks
 * bitmap scans (or, with a generic plan, a scan of the whole table), which visit the heap page of
 * every dead entry in range each time and never mark it: their cost grew with the experiments
 * finished and the tasks completed since the last vacuum. A plain index scan marks each dead
 * entry it meets, and later scans of either kind skip it (docs/storage.md has the figures).
 */
const byIndexScans = <A, E, R>(sql: SqlClient.SqlClient, effect: Effect.Effect<A, E, R>) =>
  sql`SET LOCAL enable_bitmapscan = off`.pipe(
    Effect.zipRight(sql`SET LOCAL enable_seqscan = off`),
    Effect.zipRight(effect),
    Effect.tap(() => sql`RESET enable_bitmapscan`.pipe(Effect.zipRight(sql`RESET enable_seqscan`))),
  )

/**
 * `finishExperiments(sql, "all")` by a plain scan of `experiments_active`: once a reap interval,
 * it marks the dead entries the claim's bitmap scan of that index would otherwise revisit.
 */
const finishAllByIndexScan = (sql: SqlClient.SqlClient) =>
  transaction(sql)(
    Effect.flatMap(currentTime, (now) => byIndexScans(sql, finishExperiments(sql, "all", now))),
  )

/** Takes back up to `limit` expired leases. */
export const reap =
  (sql: SqlClient.SqlClient) =>
  (limit = 1000): Effect.Effect<RevokedLeases, ServiceUnavailable> =>
    transaction(sql)(
      Effect.gen(function* () {
        const now = yield* currentTime
        const expired = yield* byIndexScans(sql, lockExpiredLeases(sql, now, limit))
        return yield* revoke(sql, expired, now, "lease expired", true)
      }),
    ).pipe(
      // Also finishes any running experiment left done by a replica that died between a report's
      // commit and its finishing check.
      Effect.tap(() => finishAllByIndexScan(sql)),
      Effect.map(({ revoked }) => revoked),
      Effect.withSpan("Store.reap"),
    )

/** Requeues, without backoff, every task leased to `workerId`. */
export const releaseWorker =
  (sql: SqlClient.SqlClient) =>
  (workerId: WorkerId): Effect.Effect<RevokedLeases, ServiceUnavailable> =>
    transaction(sql)(
      Effect.gen(function* () {
        const now = yield* currentTime
        const leased = yield* byIndexScans(sql, lockWorkerLeases(sql, workerId))
        return yield* revoke(sql, leased, now, `worker ${workerId} went away`, false)
      }),
    ).pipe(
      Effect.tap(({ finishable }) => finishAfterCommit(sql, finishable)),
      Effect.map(({ revoked }) => revoked),
      Effect.withSpan("Store.releaseWorker", { attributes: { workerId } }),
    )

/**
 * Requeues the tasks `workerId` names that it holds but never started, without using up a retry
 * (a worker holding more than it can soon run gives the rest back). Returns those it gave back.
 */
export const handBack =
  (sql: SqlClient.SqlClient) =>
  (
    workerId: WorkerId,
    leases: ReadonlyArray<Lease>,
  ): Effect.Effect<ReadonlyArray<Lease>, ServiceUnavailable> =>
    transaction(sql)(
      Effect.gen(function* () {
        const now = yield* currentTime
        const named = leases.filter((lease) => isTaskIdShape(lease.taskId))
        const back = yield* handBackTasks(sql, workerId, named, now)
        const deltas = new Map<ExperimentId, LoadDelta>()
        for (const task of back) addDelta(deltas, task.experimentId, { running: -1 })
        yield* adjustLoad(sql, deltas)
        yield* notifyReady(
          sql,
          back.map((task) => task.experimentId),
        )
        return back.map((task) => Lease.make({ taskId: task.taskId, attempt: task.attempt }))
      }),
    ).pipe(
      Effect.withSpan("Store.handBack", {
        attributes: { workerId, count: leases.length },
        captureStackTrace: false,
      }),
    )

/** Extends the worker's leases; the leases it names but no longer holds come back as stale. */
export const heartbeat =
  (sql: SqlClient.SqlClient, leaseMillis: number) =>
  (
    workerId: WorkerId,
    leases?: ReadonlyArray<Lease>,
  ): Effect.Effect<HeartbeatResult, EntityNotFound | ServiceUnavailable> =>
    transaction(sql)(
      Effect.gen(function* () {
        const now = yield* currentTime
        const until = plusMillis(now, leaseMillis)
        const named = leases?.filter((lease) => isTaskIdShape(lease.taskId))
        // A lease extended in the last sixth of a lease (half a heartbeat, leases lasting three)
        // is left as it is: the worker still loses it only after about three missed heartbeats.
        const refreshBefore = plusMillis(until, -leaseMillis / 6)
        const extend = extendLeases(sql, workerId, named, now, until, refreshBefore)
        // A heartbeat that names no leases extends every lease of the worker, found through tasks_leases.
        const extended = yield* named === undefined ? byIndexScans(sql, extend) : extend
        if (Option.isNone(extended)) return yield* new EntityNotFound({ entity: "worker", id: workerId })
        const kept = new Set(extended.value.map((lease) => `${lease.taskId}#${lease.attempt}`))
        return HeartbeatResult.make({
          leaseExpiresAt: DateTime.unsafeMake(until),
          extended: extended.value.map((lease) => Lease.make(lease)),
          // Rebuilt as Lease: callers pass structurally equal plain objects, which the class rejects.
          stale: (leases ?? [])
            .filter((lease) => !kept.has(`${lease.taskId}#${lease.attempt}`))
            .map((lease) => Lease.make({ taskId: lease.taskId, attempt: lease.attempt })),
        })
      }),
    ).pipe(Effect.withSpan("Store.heartbeat", { attributes: { workerId }, captureStackTrace: false }))
