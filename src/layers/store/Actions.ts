/**
 * Writes planned per-task actions as four set-based statements (advance, complete, requeue, fail)
 * and describes their consequences for Settlement. Used by reports, the reaper and worker release.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import type { WorkerId } from "../../domain/Ids.js"
import type { Planned } from "./ReportPlan.js"
import type { Outcomes } from "./Settlement.js"
import { type Advance, advanceTasks } from "./sql/advanceTasks.js"
import type { WorkerTally } from "./sql/bookkeep.js"
import { type Completion, completeTasks } from "./sql/completeTasks.js"
import { type Failure, failTasks } from "./sql/failTasks.js"
import { type Requeue, requeueTasks } from "./sql/requeueTasks.js"

export const applyActions = (
  sql: SqlClient.SqlClient,
  planned: ReadonlyArray<Planned>,
  now: Date,
  leaseUntil: Date,
): Effect.Effect<Outcomes, SqlError> =>
  Effect.gen(function* () {
    const advances: Array<Advance> = []
    const completions: Array<Completion> = []
    const requeues: Array<Requeue> = []
    const failures: Array<Failure> = []
    const tallies = new Map<WorkerId, WorkerTally>()
    const credit = (worker: WorkerId | null, completed: number, failed: number) => {
      if (worker === null) return
      const tally = tallies.get(worker) ?? { completed: 0, failed: 0 }
      tallies.set(worker, { completed: tally.completed + completed, failed: tally.failed + failed })
    }
    for (const { task, action } of planned) {
      const key = { id: task.id, attempt: task.attempt }
      switch (action._tag) {
        case "Advance":
          advances.push({ ...key, status: action.status, ran: action.ran })
          break
        case "Complete":
          completions.push({ ...key, exitCode: action.exitCode, result: action.result, ran: action.ran })
          credit(task.leaseOwner, 1, 0)
          break
        case "Requeue":
          requeues.push({ ...key, ...action })
          credit(task.leaseOwner, 0, 1)
          break
        case "Fail":
          failures.push({ ...key, error: action.error, exitCode: action.exitCode })
          credit(task.leaseOwner, 0, 1)
          break
      }
    }
    yield* advanceTasks(sql, advances, now, leaseUntil)
    yield* completeTasks(sql, completions, now)
    yield* requeueTasks(sql, requeues, now)
    yield* failTasks(sql, failures, now)

    const ended = planned.filter((p) => p.action._tag !== "Advance")
    return {
      completed: planned
        .filter((p) => p.action._tag === "Complete")
        .map(({ task }) => ({
          id: task.id,
          experimentId: task.experimentId,
          name: task.name,
          hasDependents: task.hasDependents,
          tracked: task.tracked,
        })),
      failed: planned
        .filter((p) => p.action._tag === "Fail")
        .map(({ task }) => ({
          id: task.id,
          experimentId: task.experimentId,
          downstream: task.hasDependents || task.tracked,
        })),
      unleased: ended.map(({ task }) => task.experimentId),
      requeued: planned.filter((p) => p.action._tag === "Requeue").map(({ task }) => task.experimentId),
      touched: planned.map(({ task }) => task.experimentId),
      tallies,
    }
  })
