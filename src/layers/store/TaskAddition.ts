/**
 * Open experiments: `addTasks` puts task instances into one that is running (one statement, leased
 * at birth when a worker is offered), `closeExperiment` stops it taking more so that it can finish.
 */
import { randomUUID } from "node:crypto"
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import { EntityNotFound, InvalidInput } from "../../domain/Errors.js"
import { type ExperimentId, TaskId } from "../../domain/Ids.js"
import type { ExpandedTask } from "../../domain/spec/ExpandedTask.js"
import { maxTasksLeasedAtBirth } from "../../ports/IdleSlots.js"
import type { StoreUnavailable } from "../../ports/StoreErrors.js"
import type { AddedTasks, ExperimentSummary, LeaseOffer } from "../../ports/StoreModel.js"
import { claimedTasksOf } from "./Claims.js"
import { offered, taskRow } from "./ExperimentCreation.js"
import { notification } from "./Notify.js"
import { failureOf, orUnavailable } from "./SqlFailures.js"
import { finishExperiments } from "./sql/finishExperiments.js"
import { acceptingStatuses, insertAddedTasks } from "./sql/insertAddedTasks.js"
import { selectSummary } from "./sql/selectSummaries.js"
import { now as currentTime, plusMillis } from "./Time.js"
import { requireTaskMove } from "./Transitions.js"

/** Refused before anything is written: too many at once, or tasks that would wait on others. */
const checkAdditions = (tasks: ReadonlyArray<ExpandedTask>): Effect.Effect<void, InvalidInput> => {
  if (tasks.length === 0 || tasks.length > maxTasksLeasedAtBirth) {
    return Effect.fail(
      new InvalidInput({
        path: "tasks",
        expected: `between 1 and ${maxTasksLeasedAtBirth} tasks per call`,
        actual: String(tasks.length),
      }),
    )
  }
  const waiting = tasks.findIndex((task) => task.after.length > 0 || task.afterAll.length > 0)
  return waiting < 0
    ? Effect.void
    : Effect.fail(
        new InvalidInput({
          path: `tasks[${waiting}]`,
          expected: "a task that waits on nothing (tasks added to an open experiment have no dependencies)",
          actual: `a task of ${tasks[waiting]?.name ?? "?"} waiting on other tasks`,
        }),
      )
}

// A task's name must be one of the experiment's task groups (the spec's task names).
const isUnknownTaskName = (error: unknown): error is SqlError =>
  error instanceof SqlError && failureOf(error).constraint === "tasks_experiment_id_name_fkey"

// Why an experiment took none of the tasks: read only on that path, never on the hot one.
const whyRefused = (sql: SqlClient.SqlClient, id: ExperimentId) =>
  Effect.gen(function* () {
    const rows = yield* sql<{ status: string; open: boolean }>`
      SELECT status, open FROM experiments WHERE id = ${id}`
    const row = rows[0]
    if (row === undefined) return yield* new EntityNotFound({ entity: "experiment", id })
    return yield* new InvalidInput({
      path: "experimentId",
      expected: `an open experiment that is ${acceptingStatuses.join(" or ")}`,
      actual: `${id}, ${row.open ? "open" : "closed"} and ${row.status}`,
    })
  })

export const addTasks =
  (sql: SqlClient.SqlClient, leaseMillis: number) =>
  (
    experimentId: ExperimentId,
    tasks: ReadonlyArray<ExpandedTask>,
    offer?: LeaseOffer,
  ): Effect.Effect<AddedTasks, EntityNotFound | InvalidInput | StoreUnavailable> =>
    Effect.gen(function* () {
      yield* checkAdditions(tasks)
      yield* requireTaskMove("CREATED", "QUEUED")
      const now = yield* currentTime
      // Random ids: added tasks are looked up by nothing but their id (no edges refer to them).
      const rows = tasks.map((task) => taskRow(TaskId.make(randomUUID()), task, 0))
      const lease =
        offer === undefined || offer.max < 1
          ? undefined
          : {
              workerId: offer.workerId,
              leaseUntil: plusMillis(now, leaseMillis),
              offered: offered(rows, offer.max),
            }
      if (lease !== undefined) yield* requireTaskMove("QUEUED", "DATA_STAGING")
      const inserted = yield* insertAddedTasks(sql, {
        experimentId,
        rows,
        now,
        ready: notification({ _tag: "TasksReady", experimentIds: [experimentId] }),
        lease,
      })
      if (inserted.length === 0) return yield* whyRefused(sql, experimentId)
      const added: AddedTasks = {
        taskIds: inserted.map((row) => TaskId.make(String((row as { addedId: unknown }).addedId))),
        keys: inserted.map((row) => String((row as { addedKey: unknown }).addedKey)),
        leased: yield* claimedTasksOf(inserted.filter((row) => (row as { leased: unknown }).leased === true)),
      }
      return added
    }).pipe(
      Effect.catchIf(isUnknownTaskName, () =>
        Effect.fail(
          new InvalidInput({
            path: "tasks[].name",
            expected: "names of tasks in the experiment's spec",
            actual: [...new Set(tasks.map((task) => task.name))].join(", "),
          }),
        ),
      ),
      orUnavailable,
      Effect.withSpan("Store.addTasks", {
        attributes: { experimentId, tasks: tasks.length, offered: offer?.max ?? 0 },
        captureStackTrace: false,
      }),
    )

/**
 * Two statements, not one transaction: a task that becomes terminal while the experiment closes
 * checks for completion after its own commit, and this checks after the close has committed, so
 * whichever comes last sees both (as finishExperiments requires).
 */
export const closeExperiment =
  (sql: SqlClient.SqlClient) =>
  (id: ExperimentId): Effect.Effect<ExperimentSummary, EntityNotFound | StoreUnavailable> =>
    Effect.gen(function* () {
      const now = yield* currentTime
      yield* sql`UPDATE experiments SET open = false, updated_at = ${now} WHERE id = ${id} AND open`
      yield* finishExperiments(sql, [id], now)
      const summary = yield* selectSummary(sql, id)
      return summary === undefined ? yield* new EntityNotFound({ entity: "experiment", id }) : summary
    }).pipe(orUnavailable, Effect.withSpan("Store.closeExperiment", { attributes: { experimentId: id } }))
