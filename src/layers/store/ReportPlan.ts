/**
 * Decides, report by report, what a batch of worker reports does to the tasks they name: checks
 * the fence (attempt, then lease holder), walks the task state machine (taskPath, so reports may
 * skip steps), applies the retry policy to failures, and folds several reports on one task in
 * order. Only the final action per task reaches SQL.
 */
import { DateTime, Duration, Effect, Either, Random } from "effect"
import {
  EntityNotFound,
  type IllegalTransition,
  LeaseLost,
  StaleAttempt,
  TaskNotAssigned,
} from "../../domain/Errors.js"
import type { TaskId } from "../../domain/Ids.js"
import { retryDelay } from "../../domain/RetryPolicy.js"
import { TaskMachine, taskPath } from "../../domain/StateMachine.js"
import type { TaskStatus } from "../../domain/Status.js"
import type { ReportRejection } from "../../ports/StoreErrors.js"
import type { ReportOutcome, TaskReport } from "../../ports/StoreModel.js"
import type { LockedTask } from "./sql/LockedTask.js"

export type Action =
  | { readonly _tag: "Advance"; readonly status: TaskStatus; readonly ran: boolean }
  | {
      readonly _tag: "Complete"
      readonly ran: boolean
      readonly exitCode: number | null
      readonly result: string | null
    }
  | {
      readonly _tag: "Requeue"
      readonly notBefore: Date
      /** FAILED when the worker reported the failure, QUEUED when the lease was taken back. */
      readonly attemptStatus: "FAILED" | "QUEUED"
      readonly error: string
      readonly exitCode: number | null
    }
  | { readonly _tag: "Fail"; readonly error: string; readonly exitCode: number | null }

/** The task as locked, and what the batch does to it in the end. */
export interface Planned {
  readonly task: LockedTask
  readonly action: Action
}

export interface ReportPlan {
  readonly results: ReadonlyArray<Either.Either<ReportOutcome, ReportRejection>>
  readonly planned: ReadonlyArray<Planned>
}

interface Current {
  readonly status: TaskStatus
  readonly leaseOwner: string | null
  readonly ran: boolean
}

const errorOf = (report: TaskReport): string => report.error ?? `attempt ${report.attempt} failed`

/** Plans `reports` against the locked rows, in order; `now` anchors retry backoff. */
export const planReports = (
  reports: ReadonlyArray<TaskReport>,
  locked: ReadonlyArray<LockedTask>,
  now: Date,
): Effect.Effect<ReportPlan> =>
  Effect.gen(function* () {
    const tasks = new Map(locked.map((task) => [task.id, task]))
    const current = new Map<TaskId, Current>(
      locked.map((task) => [task.id, { status: task.status, leaseOwner: task.leaseOwner, ran: false }]),
    )
    const actions = new Map<TaskId, Action>()
    const results: Array<Either.Either<ReportOutcome, ReportRejection>> = []

    // Fields come from the report and the locked row, both decoded already: no second validation.
    // `unblocks`: a completion may release dependants, a requeue puts the task back in the queue.
    const accept = (report: TaskReport, status: TaskStatus, notBefore?: Date, unblocks = false) =>
      Either.right<ReportOutcome>({
        taskId: report.taskId,
        attempt: report.attempt,
        status,
        ...(notBefore === undefined ? {} : { notBefore: DateTime.unsafeMake(notBefore) }),
        ...(unblocks ? { unblocks } : {}),
      })

    for (const report of reports) {
      const task = tasks.get(report.taskId)
      const state = current.get(report.taskId)
      if (task === undefined || state === undefined) {
        results.push(Either.left(new EntityNotFound({ entity: "task", id: report.taskId })))
        continue
      }
      if (report.attempt !== task.attempt) {
        results.push(
          Either.left(new StaleAttempt({ taskId: task.id, reported: report.attempt, current: task.attempt })),
        )
        continue
      }
      if (state.leaseOwner === null) {
        // A resent final report of this very attempt is answered as before, not as an error.
        const repeated =
          (report.status === "COMPLETED" && state.status === "COMPLETED") ||
          (report.status === "FAILED" && (state.status === "FAILED" || state.status === "QUEUED"))
        results.push(
          repeated
            ? accept(report, state.status)
            : Either.left(
                new LeaseLost({ taskId: task.id, workerId: report.workerId, attempt: report.attempt }),
              ),
        )
        continue
      }
      if (state.leaseOwner !== report.workerId) {
        results.push(Either.left(new TaskNotAssigned({ taskId: task.id, workerId: report.workerId })))
        continue
      }
      const path: Either.Either<ReadonlyArray<TaskStatus>, IllegalTransition> = report.status === state.status
        ? Either.right([])
        : yield* Effect.either(taskPath(state.status, report.status, task.id))
      if (Either.isLeft(path)) {
        results.push(Either.left(path.left))
        continue
      }
      const ran = state.ran || path.right.includes("RUNNING")
      const exitCode = report.exitCode ?? null
      if (report.status === "COMPLETED") {
        const result = report.result === undefined ? null : JSON.stringify(report.result)
        actions.set(task.id, { _tag: "Complete", ran, exitCode, result })
        current.set(task.id, { status: "COMPLETED", leaseOwner: null, ran })
        results.push(accept(report, "COMPLETED", undefined, true))
      } else if (report.status === "FAILED") {
        const used = task.attempt - task.retryBase
        if (used <= task.retries && TaskMachine.canTransition(state.status, "QUEUED")) {
          const delay = retryDelay(task.backoff, used, yield* Random.next)
          const notBefore = new Date(now.getTime() + Duration.toMillis(delay))
          actions.set(task.id, {
            _tag: "Requeue",
            notBefore,
            attemptStatus: "FAILED",
            error: errorOf(report),
            exitCode,
          })
          current.set(task.id, { status: "QUEUED", leaseOwner: null, ran })
          results.push(accept(report, "QUEUED", notBefore, true))
        } else {
          actions.set(task.id, { _tag: "Fail", error: errorOf(report), exitCode })
          current.set(task.id, { status: "FAILED", leaseOwner: null, ran })
          results.push(accept(report, "FAILED"))
        }
      } else {
        actions.set(task.id, { _tag: "Advance", status: report.status, ran })
        current.set(task.id, { status: report.status, leaseOwner: state.leaseOwner, ran })
        results.push(accept(report, report.status))
      }
    }

    const planned: Array<Planned> = []
    for (const [id, action] of actions) {
      const task = tasks.get(id)
      if (task !== undefined) planned.push({ task, action })
    }
    return { results, planned }
  })
