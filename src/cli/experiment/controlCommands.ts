/**
 * `airavata experiment cancel|pause|resume|retry|close ID`: the Store's experiment controls. A
 * control the experiment's status does not allow exits with 2, naming both statuses.
 */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import type { ExperimentId } from "../../domain/Ids.js"
import { Store, type StoreService } from "../../ports/Store.js"
import type { ExperimentControlError } from "../../ports/StoreErrors.js"
import type { ExperimentSummary } from "../../ports/StoreModel.js"
import { storeLayer, storeOptions } from "../storeTarget.js"
import { experimentId, output, print, printJson } from "./experimentOptions.js"
import { experimentJson, statusLabel } from "./experimentViews.js"
import { asUserErrors } from "./userErrors.js"

/** What a control did: the experiment afterwards and a line about the tasks it touched. */
interface ControlResult {
  readonly experiment: ExperimentSummary
  readonly detail?: { readonly text: string; readonly json: Record<string, number> }
}

const control = (
  name: string,
  description: string,
  apply: (store: StoreService, id: ExperimentId) => Effect.Effect<ControlResult, ExperimentControlError>,
) =>
  Command.make(name, { ...storeOptions, id: experimentId, output }, (flags) =>
    Effect.gen(function* () {
      const result = yield* apply(yield* Store, flags.id)
      const e = result.experiment.experiment
      if (flags.output === "json")
        return yield* printJson({ ...experimentJson(result.experiment), ...result.detail?.json })
      const detail = result.detail === undefined ? "" : ` (${result.detail.text})`
      yield* print(`experiment ${e.id}: ${statusLabel(e)}${detail}\n`)
    }).pipe(asUserErrors, Effect.provide(storeLayer(flags))),
  ).pipe(Command.withDescription(description))

export const cancelCommand = control(
  "cancel",
  "Cancel every task not yet finished; workers running them are told to stop.",
  (store, id) =>
    Effect.map(store.cancelExperiment(id, "canceled from the command line"), (r) => ({
      experiment: r.experiment,
      detail: {
        text: `${r.canceledTasks} task(s) canceled, ${r.leased.length} of them running`,
        json: { canceledNow: r.canceledTasks, leasedNow: r.leased.length },
      },
    })),
)

export const pauseCommand = control(
  "pause",
  "Stop handing out the experiment's tasks; tasks already running finish.",
  (store, id) => Effect.map(store.pauseExperiment(id), (experiment) => ({ experiment })),
)

export const resumeCommand = control("resume", "Hand out a paused experiment's tasks again.", (store, id) =>
  Effect.map(store.resumeExperiment(id), (experiment) => ({ experiment })),
)

export const retryCommand = control(
  "retry",
  "Queue the experiment's FAILED tasks again with a fresh retry budget.",
  (store, id) =>
    Effect.map(store.retryFailed(id), (r) => ({
      experiment: r.experiment,
      detail: {
        text: `${r.requeuedTasks} failed task(s) requeued, ${r.revivedTasks} canceled dependent(s) revived`,
        json: { requeuedNow: r.requeuedTasks, revived: r.revivedTasks },
      },
    })),
)

export const closeCommand = control(
  "close",
  "Close an open experiment: it takes no more tasks, and finishes once the tasks it has are done.",
  (store, id) =>
    Effect.map(store.closeExperiment(id), (experiment) => {
      const { completedTasks, failedTasks, canceledTasks } = experiment
      const unfinished = experiment.experiment.totalTasks - completedTasks - failedTasks - canceledTasks
      return unfinished === 0
        ? { experiment }
        : {
            experiment,
            detail: {
              text: `closed, finishes after its ${unfinished} unfinished task(s)`,
              json: { unfinishedTasks: unfinished },
            },
          }
    }),
)
