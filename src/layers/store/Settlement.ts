/**
 * The consequences of tasks leaving their leases or reaching a terminal status, shared by reports,
 * the reaper and worker release: dependents released or canceled, striped task counters, and one
 * NOTIFY per kind of change. Whether an experiment is thereby finished is checked after commit
 * (`finishAfterCommit`), so no report transaction ever waits on the experiment row.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId, TaskId, WorkerId } from "../../domain/Ids.js"
import { taskNotifications } from "./Notify.js"
import { orUnavailable } from "./SqlFailures.js"
import { addDelta, type LoadDelta } from "./sql/adjustLoad.js"
import { bookkeep, type WorkerTally } from "./sql/bookkeep.js"
import { cancelDependents } from "./sql/cancelDependents.js"
import { finishExperiments } from "./sql/finishExperiments.js"
import { type Completed, releaseDependents } from "./sql/releaseDependents.js"
import { now as currentTime } from "./Time.js"
import { requireTaskMove } from "./Transitions.js"

export interface Outcomes {
  /** Tasks that just completed. */
  readonly completed: ReadonlyArray<Completed>
  /** Tasks that just failed for good; `downstream` when anything waits on them. */
  readonly failed: ReadonlyArray<{
    readonly id: TaskId
    readonly experimentId: ExperimentId
    readonly downstream: boolean
  }>
  /** One entry per lease that ended, by experiment. */
  readonly unleased: ReadonlyArray<ExperimentId>
  /** Experiments with tasks put back in the queue. */
  readonly requeued: ReadonlyArray<ExperimentId>
  /** Experiments any of whose tasks changed. */
  readonly touched: ReadonlyArray<ExperimentId>
  /** Finished attempts per worker. */
  readonly tallies: ReadonlyMap<WorkerId, WorkerTally>
}

/** Writes the consequences of `outcomes`; returns the experiments that may now be finished. */
export const settle = (sql: SqlClient.SqlClient, outcomes: Outcomes, now: Date) =>
  Effect.gen(function* () {
    yield* requireTaskMove("CREATED", "QUEUED")
    yield* requireTaskMove("CREATED", "CANCELED")
    const ready = yield* releaseDependents(sql, outcomes.completed, now)
    const cascaded = yield* cancelDependents(
      sql,
      outcomes.failed.filter((f) => f.downstream).map((f) => f.id),
      now,
    )
    const deltas = new Map<ExperimentId, LoadDelta>()
    for (const id of outcomes.unleased) addDelta(deltas, id, { running: -1 })
    for (const { experimentId } of outcomes.completed) addDelta(deltas, experimentId, { completed: 1 })
    for (const { experimentId } of outcomes.failed) addDelta(deltas, experimentId, { failed: 1 })
    for (const id of cascaded) addDelta(deltas, id, { canceled: 1 })
    yield* bookkeep(sql, {
      deltas,
      tallies: outcomes.tallies,
      notifications: taskNotifications([...ready, ...outcomes.requeued], [...outcomes.touched, ...cascaded]),
    })
    return [...deltas].filter(([, d]) => d.completed + d.failed + d.canceled > 0).map(([id]) => id)
  })

/** After the settling transaction committed: finishes those of `experiments` that are done. */
export const finishAfterCommit = (sql: SqlClient.SqlClient, experiments: ReadonlyArray<ExperimentId>) =>
  experiments.length === 0
    ? Effect.void
    : Effect.flatMap(currentTime, (now) => orUnavailable(finishExperiments(sql, experiments, now))).pipe(
        Effect.asVoid,
      )
