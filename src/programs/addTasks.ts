/**
 * Adding task instances to an open experiment: each names a task of the experiment's spec and gives
 * its inputs (instantiate), and all of them go in with one statement, leased at birth to an idle
 * session of this process when one has slots free (leaseAtBirth).
 */
import { Effect } from "effect"
import type { ExperimentId } from "../domain/Ids.js"
import type { ExperimentSpec } from "../domain/spec/ExperimentSpec.js"
import { instantiate, type TaskInstance } from "../domain/spec/instantiate.js"
import type { ReserveSlots } from "../ports/IdleSlots.js"
import { Store } from "../ports/Store.js"
import { leaseAtBirth } from "./leaseAtBirth.js"

/** An open experiment: its id and the spec it was submitted with, whose tasks are instantiated. */
export interface OpenExperiment {
  readonly id: ExperimentId
  readonly spec: ExperimentSpec
}

export interface AddTasksOptions {
  /** Free slots of idle workers whose sessions run in this process (the Dispatcher's). */
  readonly reserveSlots?: ReserveSlots
}

/** Adds `instances` to the experiment; their task ids and keys, in order. */
export const addTasks = (
  experiment: OpenExperiment,
  instances: ReadonlyArray<TaskInstance>,
  options: AddTasksOptions = {},
) =>
  Effect.gen(function* () {
    const store = yield* Store
    const tasks = yield* Effect.forEach(instances, (instance, n) => instantiate(experiment.spec, instance, n))
    const reserve = options.reserveSlots
    const added =
      reserve === undefined
        ? yield* store.addTasks(experiment.id, tasks)
        : yield* leaseAtBirth(store, reserve, tasks.length, (offer) =>
            store.addTasks(experiment.id, tasks, offer),
          )
    return { taskIds: added.taskIds, keys: added.keys }
  }).pipe(Effect.withSpan("addTasks", { captureStackTrace: false }))
