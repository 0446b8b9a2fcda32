/**
 * Experiment lifecycle operations: start, pause, resume, cancel and retry of failed tasks (and of
 * the dependents their failure canceled). Each locks the experiment row, asks ExperimentMachine
 * for the move, then writes it with compare-and-set, so two operators racing get one success and
 * one IllegalTransition.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Option } from "effect"
import { EntityNotFound } from "../../domain/Errors.js"
import type { ExperimentId } from "../../domain/Ids.js"
import { ExperimentMachine } from "../../domain/StateMachine.js"
import type { ExperimentStatus } from "../../domain/Status.js"
import type { ExperimentControlError } from "../../ports/StoreErrors.js"
import { CancelResult, type ExperimentSummary, HeldLease, RetryResult } from "../../ports/StoreModel.js"
import { notify, notifyChanged, notifyReady } from "./Notify.js"
import { transaction } from "./SqlFailures.js"
import { adjustLoad, noDelta } from "./sql/adjustLoad.js"
import { cancelDependents } from "./sql/cancelDependents.js"
import { cancelTasks } from "./sql/cancelTasks.js"
import { finishExperiments } from "./sql/finishExperiments.js"
import { retryFailedTasks } from "./sql/retryFailedTasks.js"
import { reviveCanceledTasks } from "./sql/reviveCanceledTasks.js"
import { selectFailedTasks } from "./sql/selectFailedTasks.js"
import { selectSummary } from "./sql/selectSummaries.js"
import { lockExperiment, setExperimentStatus } from "./sql/setExperimentStatus.js"
import { now as currentTime } from "./Time.js"
import { requireTaskMove, taskSources } from "./Transitions.js"

const summaryOf = (sql: SqlClient.SqlClient, id: ExperimentId) =>
  Effect.flatMap(selectSummary(sql, id), (summary) =>
    summary === undefined
      ? Effect.dieMessage(`experiment ${id} vanished inside its transaction`)
      : Effect.succeed(summary),
  )

/** Locks the experiment and checks the move; returns the status it is moving from. */
const begin = (sql: SqlClient.SqlClient, id: ExperimentId, to: ExperimentStatus) =>
  Effect.gen(function* () {
    const status = yield* lockExperiment(sql, id)
    if (Option.isNone(status)) return yield* new EntityNotFound({ entity: "experiment", id })
    yield* ExperimentMachine.transition(status.value, to, id)
    return status.value
  })

/** A plain status move (start, pause, resume) with its notifications. */
const move =
  (sql: SqlClient.SqlClient, to: ExperimentStatus, name: string) =>
  (id: ExperimentId): Effect.Effect<ExperimentSummary, ExperimentControlError> =>
    transaction(sql)(
      Effect.gen(function* () {
        const now = yield* currentTime
        const from = yield* begin(sql, id, to)
        yield* setExperimentStatus(sql, id, from, to, now)
        yield* notify(sql, { _tag: "ExperimentChanged", experimentId: id, status: to })
        if (to === "EXECUTING") {
          yield* notifyReady(sql, [id])
          // Started with nothing left to run (no tasks): it is already done.
          yield* finishExperiments(sql, [id], now)
        }
        return yield* summaryOf(sql, id)
      }),
    ).pipe(Effect.withSpan(`Store.${name}`, { attributes: { experimentId: id } }))

export const startExperiment = (sql: SqlClient.SqlClient) => move(sql, "EXECUTING", "startExperiment")
export const pauseExperiment = (sql: SqlClient.SqlClient) => move(sql, "PAUSED", "pauseExperiment")
export const resumeExperiment = (sql: SqlClient.SqlClient) => move(sql, "EXECUTING", "resumeExperiment")

export const cancelExperiment =
  (sql: SqlClient.SqlClient) =>
  (id: ExperimentId, reason = "experiment canceled"): Effect.Effect<CancelResult, ExperimentControlError> =>
    transaction(sql)(
      Effect.gen(function* () {
        const now = yield* currentTime
        const from = yield* begin(sql, id, "CANCELED")
        const result = yield* cancelTasks(sql, id, taskSources("CANCELED"), reason, now)
        yield* adjustLoad(
          sql,
          new Map([[id, { ...noDelta, running: -result.leased.length, canceled: result.canceled }]]),
        )
        yield* setExperimentStatus(sql, id, from, "CANCELED", now)
        yield* notify(sql, { _tag: "ExperimentChanged", experimentId: id, status: "CANCELED" })
        if (result.canceled > 0) yield* notifyChanged(sql, [id])
        return CancelResult.make(
          {
            experiment: yield* summaryOf(sql, id),
            canceledTasks: result.canceled,
            leased: result.leased.map((lease) => HeldLease.make(lease, true)),
          },
          true,
        )
      }),
    ).pipe(Effect.withSpan("Store.cancelExperiment", { attributes: { experimentId: id } }))

export const retryFailed =
  (sql: SqlClient.SqlClient) =>
  (id: ExperimentId): Effect.Effect<RetryResult, ExperimentControlError> =>
    transaction(sql)(
      Effect.gen(function* () {
        yield* requireTaskMove("FAILED", "QUEUED")
        // Revived tasks with nothing left to wait on take CREATED → QUEUED at once, as at insertion.
        yield* requireTaskMove("CANCELED", "CREATED")
        yield* requireTaskMove("CREATED", "QUEUED")
        const now = yield* currentTime
        const status = yield* lockExperiment(sql, id)
        if (Option.isNone(status)) return yield* new EntityNotFound({ entity: "experiment", id })
        // Only a FAILED experiment changes status (a running one just gets its tasks back, a CREATED
        // one has none); asking the machine rejects COMPLETED and CANCELED.
        if (status.value !== "EXECUTING" && status.value !== "PAUSED" && status.value !== "CREATED") {
          const to = yield* ExperimentMachine.transition(status.value, "EXECUTING", id)
          yield* setExperimentStatus(sql, id, status.value, to, now)
          yield* notify(sql, { _tag: "ExperimentChanged", experimentId: id, status: to })
        }
        const requeued = yield* retryFailedTasks(sql, id, now)
        // What the failures canceled downstream resumes too, as if they had not happened.
        const revived = yield* reviveCanceledTasks(sql, id, now)
        // A dependency that failed for good while this ran was not requeued, and its cascade found
        // these tasks still CANCELED: cancel again what waits on it.
        const recanceled =
          revived.revived === 0 ? [] : yield* cancelDependents(sql, yield* selectFailedTasks(sql, id), now)
        yield* adjustLoad(
          sql,
          new Map([[id, { ...noDelta, failed: -requeued, canceled: recanceled.length - revived.revived }]]),
        )
        if (requeued + revived.queued > 0) yield* notifyReady(sql, [id])
        if (requeued + revived.revived > 0) yield* notifyChanged(sql, [id])
        return RetryResult.make(
          { experiment: yield* summaryOf(sql, id), requeuedTasks: requeued, revivedTasks: revived.revived },
          true,
        )
      }),
    ).pipe(Effect.withSpan("Store.retryFailed", { attributes: { experimentId: id } }))
