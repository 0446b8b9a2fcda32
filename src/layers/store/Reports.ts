/**
 * Worker reports. The common case — a task completed by the worker holding its lease, with nothing
 * waiting on it — is applied by one autocommitted statement (ReportFastPath); everything else goes
 * the general way, in one transaction: lock the named tasks, plan each report against the machine,
 * write, settle. Either way, experiments that gained completions are checked for finishing after
 * commit.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Either } from "effect"
import type { ServiceUnavailable } from "../../domain/Errors.js"
import type { ExperimentId } from "../../domain/Ids.js"
import type { ReportRejection } from "../../ports/StoreErrors.js"
import type { ReportOutcome, TaskReport } from "../../ports/StoreModel.js"
import { applyActions } from "./Actions.js"
import { reportFastPath } from "./ReportFastPath.js"
import { planReports } from "./ReportPlan.js"
import { finishAfterCommit, settle } from "./Settlement.js"
import { transaction } from "./SqlFailures.js"
import { lockTasks } from "./sql/LockedTask.js"
import { isTaskIdShape } from "./TaskIds.js"
import { now as currentTime, plusMillis } from "./Time.js"

type Result = Either.Either<ReportOutcome, ReportRejection>

/** The general path: `reports` in one transaction; returns their results and the experiments to finish. */
const reportInTransaction = (
  sql: SqlClient.SqlClient,
  leaseMillis: number,
  reports: ReadonlyArray<TaskReport>,
) =>
  transaction(sql)(
    Effect.gen(function* () {
      const now = yield* currentTime
      const ids = [...new Set(reports.map((report) => report.taskId))].filter(isTaskIdShape)
      const locked = yield* lockTasks(sql, ids)
      const plan = yield* planReports(reports, locked, now)
      const outcomes = yield* applyActions(sql, plan.planned, now, plusMillis(now, leaseMillis))
      const finishable = yield* settle(sql, outcomes, now)
      return { results: plan.results, finishable }
    }),
  )

/** Applies `reports`; each is accepted or rejected on its own, results in input order. */
export const reportMany =
  (sql: SqlClient.SqlClient, leaseMillis: number) =>
  (reports: ReadonlyArray<TaskReport>): Effect.Effect<ReadonlyArray<Result>, ServiceUnavailable> =>
    reports.length === 0
      ? Effect.succeed([])
      : Effect.gen(function* () {
          const fast = yield* Effect.flatMap(currentTime, (now) => reportFastPath(sql, reports, now))
          if (fast.rest.length === 0) {
            yield* finishAfterCommit(sql, fast.experiments)
            return fast.results as ReadonlyArray<Result>
          }
          const rest = fast.rest.map((i) => reports[i] as TaskReport)
          const general = yield* reportInTransaction(sql, leaseMillis, rest).pipe(
            // The fast path has committed: its experiments are still checked if this fails.
            Effect.onError(() => Effect.ignore(finishAfterCommit(sql, fast.experiments))),
          )
          const finishable: ReadonlyArray<ExperimentId> =
            fast.experiments.length === 0
              ? general.finishable
              : [...new Set([...fast.experiments, ...general.finishable])]
          yield* finishAfterCommit(sql, finishable)
          if (fast.rest.length === reports.length) return general.results
          const results = [...fast.results]
          fast.rest.forEach((i, j) => {
            results[i] = general.results[j]
          })
          return results as ReadonlyArray<Result>
        }).pipe(
          Effect.withSpan("Store.reportMany", {
            attributes: { reports: reports.length },
            captureStackTrace: false,
          }),
        )

/** Applies one report. */
export const report = (sql: SqlClient.SqlClient, leaseMillis: number) => (single: TaskReport) =>
  reportMany(
    sql,
    leaseMillis,
  )([single]).pipe(
    Effect.flatMap((results) =>
      results[0] === undefined
        ? Effect.dieMessage("reportMany returned no result")
        : Either.match(results[0], {
            onLeft: Effect.fail,
            onRight: Effect.succeed,
          }),
    ),
    Effect.withSpan("Store.report", { attributes: { taskId: single.taskId, status: single.status } }),
  )
