/**
 * Following one experiment: its summary each time the change feed says it moved, until it is
 * terminal. Wake-ups come from the Dispatcher (LISTEN/NOTIFY from any replica); a slow poll only
 * covers notifications lost while the feed was down.
 */
import { Duration, Effect, Option, type Queue, Stream } from "effect"
import type { EntityNotFound } from "../domain/Errors.js"
import type { ExperimentId } from "../domain/Ids.js"
import { type ExperimentStatus, terminalExperimentStatuses } from "../domain/Status.js"
import { Store } from "../ports/Store.js"
import type { StoreUnavailable } from "../ports/StoreErrors.js"
import type { ExperimentSummary, StoreChange } from "../ports/StoreModel.js"
import { Dispatcher } from "./Dispatcher.js"

/** COMPLETED, FAILED or CANCELED: the experiment will not change again on its own. */
export const isTerminalStatus = (status: ExperimentStatus): boolean =>
  (terminalExperimentStatuses as ReadonlyArray<ExperimentStatus>).includes(status)

/** Which changes concern an experiment: its status only, or also its tasks (progress). */
export type WatchScope = "status" | "tasks"

/** Whether `change` may have moved experiment `id`; an empty id list means "any experiment". */
export const concerns = (change: StoreChange, id: ExperimentId, scope: WatchScope): boolean => {
  switch (change._tag) {
    case "ExperimentChanged":
      return change.experimentId === id
    case "TasksChanged":
    case "TasksReady":
      return scope === "tasks" && (change.experimentIds.length === 0 || change.experimentIds.includes(id))
  }
}

/**
 * Waits for the next change concerning `id`, or `fallback` on the Clock, whichever comes first;
 * changes already queued are drained too, so a burst costs one re-read.
 */
const nextChange = (
  changes: Queue.Dequeue<StoreChange>,
  id: ExperimentId,
  scope: WatchScope,
  fallback: Duration.Duration,
) =>
  Effect.gen(function* () {
    for (;;) {
      const change = yield* changes.take
      const backlog = yield* changes.takeAll
      if (concerns(change, id, scope) || [...backlog].some((c) => concerns(c, id, scope))) return
    }
  }).pipe(Effect.timeoutOption(fallback), Effect.asVoid)

/** What the counters and status of a summary say; equal keys mean nothing visible moved. */
const progressKey = (s: ExperimentSummary): string =>
  [s.experiment.status, s.completedTasks, s.failedTasks, s.canceledTasks, s.runningTasks].join("/")

export interface WatchOptions {
  /** Re-read this often even without a notification (default 5 s). */
  readonly pollInterval?: Duration.DurationInput
}

/**
 * The experiment's summary now, then again whenever its status or counters change; ends after the
 * first terminal summary.
 */
export const watchExperiment = (
  id: ExperimentId,
  options: WatchOptions = {},
): Stream.Stream<ExperimentSummary, EntityNotFound | StoreUnavailable, Store | Dispatcher> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const store = yield* Store
      const dispatcher = yield* Dispatcher
      const fallback = Duration.decode(options.pollInterval ?? Duration.seconds(5))
      // Subscribed before the first read, so no change between the read and the wait is missed.
      const changes = yield* dispatcher.subscribe
      type Step = "first" | "next" | "done"
      return Stream.unfoldEffect<Step, ExperimentSummary, EntityNotFound | StoreUnavailable, never>(
        "first",
        (step) =>
          step === "done"
            ? Effect.succeedNone
            : Effect.gen(function* () {
                if (step === "next") yield* nextChange(changes, id, "tasks", fallback)
                const summary = yield* store.getExperiment(id)
                const following: Step = isTerminalStatus(summary.experiment.status) ? "done" : "next"
                return Option.some([summary, following] as const)
              }),
      ).pipe(Stream.changesWith((a, b) => progressKey(a) === progressKey(b)))
    }),
  )

/** Waits until experiment `id` is terminal and returns its final summary. */
export const awaitTerminal = (
  id: ExperimentId,
  options: WatchOptions = {},
): Effect.Effect<ExperimentSummary, EntityNotFound | StoreUnavailable, Store | Dispatcher> =>
  Effect.scoped(
    Effect.gen(function* () {
      const store = yield* Store
      const dispatcher = yield* Dispatcher
      const fallback = Duration.decode(options.pollInterval ?? Duration.seconds(5))
      const changes = yield* dispatcher.subscribe
      for (;;) {
        const summary = yield* store.getExperiment(id)
        if (isTerminalStatus(summary.experiment.status)) return summary
        yield* nextChange(changes, id, "status", fallback)
      }
    }),
  ).pipe(Effect.withSpan("Scheduler.awaitCompletion", { attributes: { experimentId: id } }))
