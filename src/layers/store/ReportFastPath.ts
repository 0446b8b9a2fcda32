/**
 * The fast path of a report batch: a task whose reports in the batch are exactly [RUNNING?,
 * COMPLETED] of one attempt from one worker is completed by one autocommitted statement
 * (completeReported), when the fence holds and nothing waits on the task. Whatever the statement
 * did not take — and every other report — is left to the general path (lock, plan, write, settle),
 * which gives it the answer it would have had anyway: a fence mismatch fails the statement's WHERE
 * and so reaches the general path's rejection; a resent COMPLETED finds the task already COMPLETED.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Either } from "effect"
import type { ServiceUnavailable } from "../../domain/Errors.js"
import type { ExperimentId } from "../../domain/Ids.js"
import { taskPath } from "../../domain/StateMachine.js"
import { activeTaskStatuses, type TaskStatus } from "../../domain/Status.js"
import type { ReportRejection } from "../../ports/StoreErrors.js"
import type { ReportOutcome, TaskReport } from "../../ports/StoreModel.js"
import { retrying } from "./SqlFailures.js"
import { type CompletionSources, completeReported, type ReportedCompletion } from "./sql/completeReported.js"
import { isTaskIdShape } from "./TaskIds.js"

/**
 * Whether planReports accepts `steps` in order from `from`, and whether its walk passes RUNNING
 * (which sets a task's first start time): the same folding, so the statement cannot drift from it.
 */
const walk = (from: TaskStatus, steps: ReadonlyArray<TaskStatus>): { ok: boolean; ran: boolean } => {
  let state = from
  let ran = false
  for (const to of steps) {
    if (to === state) continue
    const path = Effect.runSync(Effect.either(taskPath(state, to)))
    if (Either.isLeft(path)) return { ok: false, ran }
    ran = ran || path.right.includes("RUNNING")
    state = to
  }
  return { ok: true, ran }
}

const sourcesOf = (steps: ReadonlyArray<TaskStatus>) => {
  const accepted = activeTaskStatuses.filter((from) => walk(from, steps).ok)
  return { accepted, ran: accepted.filter((from) => walk(from, steps).ran) }
}

const alone = sourcesOf(["COMPLETED"])
const afterRunning = sourcesOf(["RUNNING", "COMPLETED"])
const sources: CompletionSources = {
  alone: alone.accepted,
  aloneRan: alone.ran,
  afterRunning: afterRunning.accepted,
  afterRunningRan: afterRunning.ran,
}

export interface FastPathResult {
  /** Per input report: its outcome when the fast path applied it, undefined when it did not. */
  readonly results: ReadonlyArray<Either.Either<ReportOutcome, ReportRejection> | undefined>
  /** Indices of the reports left to the general path, in input order. */
  readonly rest: ReadonlyArray<number>
  /** Experiments that gained completions, to check for finishing after commit. */
  readonly experiments: ReadonlyArray<ExperimentId>
}

// Built unvalidated, as planReports does: fields come from decoded reports.
const accepted = (report: TaskReport) =>
  Either.right<ReportOutcome>({ taskId: report.taskId, attempt: report.attempt, status: report.status })

/** Applies the fast-path reports of `reports` and says which are left for the general path. */
export const reportFastPath = (
  sql: SqlClient.SqlClient,
  reports: ReadonlyArray<TaskReport>,
  now: Date,
): Effect.Effect<FastPathResult, ServiceUnavailable> => {
  const all = reports.map((_, i) => i)
  const none: FastPathResult = { results: [], rest: all, experiments: [] }
  if (!reports.some((r) => r.status === "COMPLETED")) return Effect.succeed(none)

  // Each task's report indices, in order.
  const byTask = new Map<string, Array<number>>()
  for (let i = 0; i < reports.length; i++) {
    const id = (reports[i] as TaskReport).taskId
    const indices = byTask.get(id)
    if (indices === undefined) byTask.set(id, [i])
    else indices.push(i)
  }
  const candidates: Array<ReportedCompletion> = []
  const indicesOf = new Map<string, ReadonlyArray<number>>()
  for (const [id, indices] of byTask) {
    const last = reports[indices[indices.length - 1] as number] as TaskReport
    if (last.status !== "COMPLETED" || indices.length > 2 || !isTaskIdShape(id)) continue
    const first = reports[indices[0] as number] as TaskReport
    const running = indices.length === 2
    if (
      running &&
      (first.status !== "RUNNING" || first.attempt !== last.attempt || first.workerId !== last.workerId)
    ) {
      continue
    }
    candidates.push({
      id: last.taskId,
      attempt: last.attempt,
      workerId: last.workerId,
      running,
      exitCode: last.exitCode ?? null,
      result: last.result === undefined ? null : JSON.stringify(last.result),
    })
    indicesOf.set(id, indices)
  }
  if (candidates.length === 0) return Effect.succeed(none)

  return Effect.map(retrying(completeReported(sql, candidates, sources, now)), (completed) => {
    if (completed.length === 0) return none
    const results: Array<Either.Either<ReportOutcome, ReportRejection> | undefined> = new Array(
      reports.length,
    )
    const experiments = new Set<ExperimentId>()
    for (const { id, experimentId } of completed) {
      for (const i of indicesOf.get(id) ?? []) results[i] = accepted(reports[i] as TaskReport)
      experiments.add(experimentId)
    }
    return { results, rest: all.filter((i) => results[i] === undefined), experiments: [...experiments] }
  })
}
