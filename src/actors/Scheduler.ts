/**
 * The Scheduler: the library's front door. Submit specs (validated, expanded, streamed into the
 * Store), read and control experiments, and wait on them, event-driven through the Dispatcher.
 * It needs a Store and a Dispatcher; which database, and whether workers run in this process, is
 * chosen by the layer that provides those (SchedulerLive, or the testing harness).
 */
import { Context, type Duration, Effect, Layer, Schema, Stream } from "effect"
import { type EntityNotFound, type InvalidInput, invalidInputFromParseError } from "../domain/Errors.js"
import type { ExperimentId, ProjectId, TaskId, UserId } from "../domain/Ids.js"
import type { SpecInvalid, TaskInstance } from "../domain/spec/index.js"
import { Store } from "../ports/Store.js"
import type { CreateExperimentError, ExperimentControlError, StoreUnavailable } from "../ports/StoreErrors.js"
import {
  type CancelResult,
  ExperimentQuery,
  type ExperimentSummary,
  type LogEntry,
  LogQuery,
  type RetryResult,
  type TaskCounts,
  type TaskDetail,
  type TaskPage,
  TaskQuery,
} from "../ports/StoreModel.js"
import { addTasks, type OpenExperiment } from "../programs/addTasks.js"
import { ensureLocalDirectory } from "../programs/localDirectory.js"
import { type StoredSpecUnreadable, storedSpec } from "../programs/storedSpec.js"
import { submitExperiment } from "../programs/submitExperiment.js"
import { Dispatcher } from "./Dispatcher.js"
import { awaitTerminal, watchExperiment } from "./ExperimentWatch.js"
import { resolveSpec, type SpecSource } from "./SpecSource.js"

export type { SpecSource }

export interface SubmitOptions {
  /** Owner and project of the experiment; default: this OS user and the spec's project (or "default"). */
  readonly owner?: { readonly userId: UserId; readonly projectId: ProjectId }
  /** Overrides the spec's name (names are unique within a project). */
  readonly name?: string
  /** Fixed id for idempotent resubmission; generated otherwise. */
  readonly id?: ExperimentId
  /** false keeps the experiment CREATED until `start`; default true. */
  readonly start?: boolean
  /** When the name is taken in the project, use `<name>-2`, `<name>-3`, … instead of failing. */
  readonly freshName?: boolean
  /**
   * Open: no task instances at first; the spec's tasks are templates for instances added with
   * `addTasks` until `closeExperiment`, after which the experiment finishes with its tasks.
   */
  readonly open?: boolean
}

/** An open experiment as `addTasks` takes it: its id and its spec (see `open`). */
export type { OpenExperiment }

/** Why a submission was refused: the spec is invalid, or the Store refused the experiment. */
export type SubmitError = SpecInvalid | CreateExperimentError

/** Filters of `list`, as plain data (validated). */
export type ListQuery = typeof ExperimentQuery.Encoded
/** Filters of `tasks`, as plain data (validated). */
export type TasksQuery = typeof TaskQuery.Encoded
/** Filters of `logs`, as plain data (validated). */
export type LogsQuery = typeof LogQuery.Encoded

export interface SchedulerService {
  /**
   * Validates and expands the spec (given, as text, or read from `path`) and creates its
   * experiment; EXECUTING on return unless `start: false`.
   */
  readonly submit: (
    source: SpecSource,
    options?: SubmitOptions,
  ) => Effect.Effect<ExperimentSummary, SubmitError>
  /** The experiment with its progress counters. */
  readonly get: (id: ExperimentId) => Effect.Effect<ExperimentSummary, EntityNotFound | StoreUnavailable>
  /** Number of the experiment's tasks in each status. */
  readonly counts: (id: ExperimentId) => Effect.Effect<TaskCounts, EntityNotFound | StoreUnavailable>
  /** Experiments matching the filters, newest first. */
  readonly list: (
    query?: ListQuery,
  ) => Effect.Effect<ReadonlyArray<ExperimentSummary>, InvalidInput | StoreUnavailable>
  /** One page of an experiment's tasks; pass the page's `next` as `cursor` for the following one. */
  readonly tasks: (query: TasksQuery) => Effect.Effect<TaskPage, InvalidInput | StoreUnavailable>
  /** A task with its attempt history. */
  readonly task: (id: TaskId) => Effect.Effect<TaskDetail, EntityNotFound | StoreUnavailable>
  /** Output chunks of a task's attempt (the latest unless `attempt` is given). */
  readonly logs: (query: LogsQuery) => Effect.Effect<ReadonlyArray<LogEntry>, InvalidInput | StoreUnavailable>
  /** Submits the spec as an open experiment (`open: true`): its id and spec, for `addTasks`. */
  readonly open: (
    source: SpecSource,
    options?: Omit<SubmitOptions, "open" | "start">,
  ) => Effect.Effect<OpenExperiment & { readonly summary: ExperimentSummary }, SubmitError>
  /**
   * Adds task instances (a task of the spec, its inputs) to an open experiment, in one statement;
   * an idle worker of this process takes them at once. Given an id, the spec is read first.
   */
  readonly addTasks: (
    experiment: ExperimentId | OpenExperiment,
    instances: ReadonlyArray<TaskInstance>,
  ) => Effect.Effect<
    ReadonlyArray<TaskId>,
    EntityNotFound | InvalidInput | StoredSpecUnreadable | StoreUnavailable
  >
  /** Closes an open experiment: no more tasks; it finishes when they have. */
  readonly closeExperiment: (
    id: ExperimentId,
  ) => Effect.Effect<ExperimentSummary, EntityNotFound | StoreUnavailable>
  /** CREATED → EXECUTING (for experiments submitted with `start: false`). */
  readonly start: (id: ExperimentId) => Effect.Effect<ExperimentSummary, ExperimentControlError>
  /** Cancels every unfinished task; workers running them are told to stop. */
  readonly cancel: (id: ExperimentId, reason?: string) => Effect.Effect<CancelResult, ExperimentControlError>
  /** EXECUTING → PAUSED: nothing new is handed out; running tasks finish. */
  readonly pause: (id: ExperimentId) => Effect.Effect<ExperimentSummary, ExperimentControlError>
  /** PAUSED → EXECUTING. */
  readonly resume: (id: ExperimentId) => Effect.Effect<ExperimentSummary, ExperimentControlError>
  /** Queues the FAILED tasks again with a fresh retry budget. */
  readonly retryFailed: (id: ExperimentId) => Effect.Effect<RetryResult, ExperimentControlError>
  /** Waits until the experiment is COMPLETED, FAILED or CANCELED and returns its final summary. */
  readonly awaitCompletion: (
    id: ExperimentId,
  ) => Effect.Effect<ExperimentSummary, EntityNotFound | StoreUnavailable>
  /** The summary now and after every visible change, ending with the terminal one. */
  readonly progress: (id: ExperimentId) => Stream.Stream<ExperimentSummary, EntityNotFound | StoreUnavailable>
}

export interface SchedulerOptions {
  /** How often waiters re-read an experiment when no change notification arrives (default 5 s). */
  readonly pollInterval?: Duration.DurationInput
}

const decodeInput =
  <A, I>(schema: Schema.Schema<A, I>, what: string) =>
  (input: I): Effect.Effect<A, InvalidInput> =>
    Schema.decodeUnknown(schema)(input).pipe(Effect.mapError((e) => invalidInputFromParseError(e, what)))

const decodeListQuery = decodeInput(ExperimentQuery, "list query")
const decodeTaskQuery = decodeInput(TaskQuery, "task query")
const decodeLogQuery = decodeInput(LogQuery, "log query")

/** Builds the Scheduler over the Store and Dispatcher in context. */
export const make = (options: SchedulerOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* Store
    const dispatcher = yield* Dispatcher
    const context = Context.make(Store, store).pipe(Context.add(Dispatcher, dispatcher))
    const watch = options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }

    const submit = (source: SpecSource, submitOptions: SubmitOptions = {}) =>
      Effect.gen(function* () {
        const spec = yield* resolveSpec(source)
        const owner = submitOptions.owner ?? (yield* ensureLocalDirectory(spec.project ?? "default"))
        return yield* submitExperiment(spec, {
          ownerId: owner.userId,
          projectId: owner.projectId,
          ...(submitOptions.name === undefined ? {} : { name: submitOptions.name }),
          ...(submitOptions.id === undefined ? {} : { id: submitOptions.id }),
          ...(submitOptions.start === undefined ? {} : { start: submitOptions.start }),
          ...(submitOptions.freshName === undefined ? {} : { freshName: submitOptions.freshName }),
          ...(submitOptions.open === undefined ? {} : { open: submitOptions.open }),
          // Idle workers of this process's sessions take the first ready tasks at once.
          reserveSlots: dispatcher.reserveSlots,
        })
      }).pipe(Effect.provide(context), Effect.withSpan("Scheduler.submit"))

    const openExperiment = (experiment: ExperimentId | OpenExperiment) =>
      typeof experiment === "string"
        ? Effect.flatMap(store.getExperiment(experiment), (summary) =>
            Effect.map(storedSpec(summary.experiment), (spec) => ({ id: experiment, spec })),
          )
        : Effect.succeed(experiment)

    const service: SchedulerService = {
      submit,
      open: (source, openOptions = {}) =>
        Effect.gen(function* () {
          const spec = yield* resolveSpec(source)
          const summary = yield* submit(spec, { ...openOptions, open: true })
          return { id: summary.experiment.id, spec, summary }
        }).pipe(Effect.withSpan("Scheduler.open")),
      addTasks: (experiment, instances) =>
        Effect.flatMap(openExperiment(experiment), (open) =>
          addTasks(open, instances, { reserveSlots: dispatcher.reserveSlots }).pipe(
            Effect.map((added) => added.taskIds),
          ),
        ).pipe(Effect.provideService(Store, store)),
      closeExperiment: (id) => store.closeExperiment(id).pipe(Effect.withSpan("Scheduler.closeExperiment")),
      get: (id) => store.getExperiment(id).pipe(Effect.withSpan("Scheduler.get")),
      counts: (id) => store.countTasks(id).pipe(Effect.withSpan("Scheduler.counts")),
      list: (query = {}) =>
        decodeListQuery(query).pipe(Effect.flatMap(store.listExperiments), Effect.withSpan("Scheduler.list")),
      tasks: (query) =>
        decodeTaskQuery(query).pipe(Effect.flatMap(store.listTasks), Effect.withSpan("Scheduler.tasks")),
      task: (id) => store.getTask(id).pipe(Effect.withSpan("Scheduler.task")),
      logs: (query) =>
        decodeLogQuery(query).pipe(Effect.flatMap(store.readLogs), Effect.withSpan("Scheduler.logs")),
      start: (id) => store.startExperiment(id).pipe(Effect.withSpan("Scheduler.start")),
      cancel: (id, reason) => store.cancelExperiment(id, reason).pipe(Effect.withSpan("Scheduler.cancel")),
      pause: (id) => store.pauseExperiment(id).pipe(Effect.withSpan("Scheduler.pause")),
      resume: (id) => store.resumeExperiment(id).pipe(Effect.withSpan("Scheduler.resume")),
      retryFailed: (id) => store.retryFailed(id).pipe(Effect.withSpan("Scheduler.retryFailed")),
      awaitCompletion: (id) => awaitTerminal(id, watch).pipe(Effect.provide(context)),
      progress: (id) =>
        watchExperiment(id, watch).pipe(
          Stream.provideContext(context),
          Stream.withSpan("Scheduler.progress"),
        ),
    }
    return service
  })

/** The scheduler service: submit, read, control and wait on experiments. */
export class Scheduler extends Context.Tag("airavata/Scheduler")<Scheduler, SchedulerService>() {
  /** The Scheduler over a Store and a Dispatcher (which must share that Store). */
  static readonly layer = (
    options: SchedulerOptions = {},
  ): Layer.Layer<Scheduler, never, Store | Dispatcher> => Layer.effect(Scheduler, make(options))
}
