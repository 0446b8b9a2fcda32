/** Worker reports: lock the named tasks, plan each report against the machine, write, settle. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Either } from "effect"
import type { ServiceUnavailable } from "../../domain/Errors.js"
import type { ReportRejection } from "../../ports/StoreErrors.js"
import type { ReportOutcome, TaskReport } from "../../ports/StoreModel.js"
import { applyActions } from "./Actions.js"
import { planReports } from "./ReportPlan.js"
import { finishAfterCommit, settle } from "./Settlement.js"
import { transaction } from "./SqlFailures.js"
import { lockTasks } from "./sql/LockedTask.js"
import { isTaskIdShape } from "./TaskIds.js"
import { now as currentTime, plusMillis } from "./Time.js"

/** Applies `reports` in one transaction; each is accepted or rejected on its own. */
export const reportMany =
  (sql: SqlClient.SqlClient, leaseMillis: number) =>
  (
    reports: ReadonlyArray<TaskReport>,
  ): Effect.Effect<ReadonlyArray<Either.Either<ReportOutcome, ReportRejection>>, ServiceUnavailable> =>
    reports.length === 0
      ? Effect.succeed([])
      : transaction(sql)(
          Effect.gen(function* () {
            const now = yield* currentTime
            const ids = [...new Set(reports.map((report) => report.taskId))].filter(isTaskIdShape)
            const locked = yield* lockTasks(sql, ids)
            const plan = yield* planReports(reports, locked, now)
            const outcomes = yield* applyActions(sql, plan.planned, now, plusMillis(now, leaseMillis))
            const finishable = yield* settle(sql, outcomes, now)
            return { results: plan.results, finishable }
          }),
        ).pipe(
          Effect.tap(({ finishable }) => finishAfterCommit(sql, finishable)),
          Effect.map(({ results }) => results),
          Effect.withSpan("Store.reportMany", { attributes: { reports: reports.length } }),
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
