/**
 * The Promise facade, for services that do not use Effect: the same Scheduler behind a
 * ManagedRuntime, every method a Promise, failures rejected with the typed error objects
 * themselves (each has `_tag` and a stable `code`), not wrapped.
 *
 *     const scheduler = await createScheduler({ dataDir: ".airavata", workers: 4 })
 *     const submitted = await scheduler.submit("examples/sweep.yaml")
 *     const final = await scheduler.wait(submitted.experiment.id)
 *     await scheduler.close()
 */
import { Cause, Effect, Exit, type Layer, ManagedRuntime, Option, Schema, Stream } from "effect"
import type {
  ListQuery,
  LogsQuery,
  OpenExperiment,
  SchedulerService,
  SubmitOptions,
  TasksQuery,
} from "../actors/Scheduler.js"
import { Scheduler } from "../actors/Scheduler.js"
import type { SpecSource } from "../actors/SpecSource.js"
import { invalidInputFromParseError } from "../domain/Errors.js"
import { ExperimentId, TaskId } from "../domain/Ids.js"
import { ExperimentSpec, type TaskInstance } from "../domain/spec/index.js"
import type {
  CancelResult,
  ExperimentSummary,
  LogEntry,
  RetryResult,
  TaskCounts,
  TaskDetail,
  TaskPage,
} from "../ports/StoreModel.js"
import {
  type EmbeddedOptions,
  type PostgresOptions,
  SchedulerEndpoint,
  type SchedulerEndpointInfo,
  SchedulerLive,
} from "../SchedulerLive.js"
import { SchedulerClosed, SchedulerInterrupted } from "./FacadeErrors.js"

/**
 * A spec for `submit`: a file path, or a document's text (anything with a line break or starting
 * with `{`), or the explicit forms `{ path }` / `{ text, file }`, or a validated spec.
 */
export type PromiseSpecSource = string | SpecSource | { readonly text: string; readonly file?: string }

/** The Scheduler's operations as Promises; ids may be plain strings. */
export interface PromiseScheduler {
  /** Where workers connect, and the local workers' directories and logs. */
  readonly endpoint: SchedulerEndpointInfo
  readonly submit: (source: PromiseSpecSource, options?: SubmitOptions) => Promise<ExperimentSummary>
  readonly get: (id: string) => Promise<ExperimentSummary>
  readonly counts: (id: string) => Promise<TaskCounts>
  readonly list: (query?: ListQuery) => Promise<ReadonlyArray<ExperimentSummary>>
  readonly tasks: (query: TasksQuery) => Promise<TaskPage>
  readonly task: (id: string) => Promise<TaskDetail>
  readonly logs: (query: LogsQuery) => Promise<ReadonlyArray<LogEntry>>
  /** Submits the spec as an open experiment: pass the result to `addTasks`. */
  readonly open: (
    source: PromiseSpecSource,
    options?: Omit<SubmitOptions, "open" | "start">,
  ) => Promise<OpenExperiment & { readonly summary: ExperimentSummary }>
  /** Adds task instances to an open experiment (its id, or what `open` returned); their ids. */
  readonly addTasks: (
    experiment: string | OpenExperiment,
    instances: ReadonlyArray<TaskInstance>,
  ) => Promise<ReadonlyArray<TaskId>>
  /** No more tasks for the open experiment; it finishes when they have. */
  readonly closeExperiment: (id: string) => Promise<ExperimentSummary>
  readonly start: (id: string) => Promise<ExperimentSummary>
  readonly cancel: (id: string, reason?: string) => Promise<CancelResult>
  readonly pause: (id: string) => Promise<ExperimentSummary>
  readonly resume: (id: string) => Promise<ExperimentSummary>
  readonly retryFailed: (id: string) => Promise<RetryResult>
  /** Resolves with the final summary once the experiment is COMPLETED, FAILED or CANCELED. */
  readonly wait: (id: string) => Promise<ExperimentSummary>
  /** The summary now and after every visible change, ending with the terminal one. */
  readonly progress: (id: string) => AsyncIterable<ExperimentSummary>
  /** Stops local workers (they drain), the worker endpoint and the database. Idempotent. */
  readonly close: () => Promise<void>
}

const asSource = (source: PromiseSpecSource): SpecSource => {
  if (typeof source === "string") {
    const looksLikeText = source.includes("\n") || source.trimStart().startsWith("{")
    return looksLikeText ? { text: source, file: "<inline>" } : { path: source }
  }
  if (source instanceof ExperimentSpec || "path" in source) return source
  return { text: source.text, file: source.file ?? "<inline>" }
}

const experimentId = (raw: string) =>
  Schema.decodeUnknown(ExperimentId)(raw).pipe(
    Effect.mapError((e) => invalidInputFromParseError(e, "experiment id")),
  )
const taskId = (raw: string) =>
  Schema.decodeUnknown(TaskId)(raw).pipe(Effect.mapError((e) => invalidInputFromParseError(e, "task id")))

/** The typed failure itself when there is one; interruption and defects as Errors. */
const rejection = (cause: Cause.Cause<unknown>): unknown =>
  Option.getOrElse(Cause.failureOption(cause), () =>
    Cause.isInterruptedOnly(cause) ? new SchedulerInterrupted() : Cause.squash(cause),
  )

/** Wraps a runtime that provides the Scheduler and its endpoint; rejects (and disposes it) if it cannot start. */
const facade = async <E>(
  runtime: ManagedRuntime.ManagedRuntime<Scheduler | SchedulerEndpoint, E>,
): Promise<PromiseScheduler> => {
  let closed = false
  const settle = <A, X>(effect: Effect.Effect<A, X, Scheduler | SchedulerEndpoint>): Promise<A> =>
    runtime
      .runPromiseExit(effect)
      .then((exit) => (Exit.isSuccess(exit) ? exit.value : Promise.reject(rejection(exit.cause))))
  const run = <A, X>(effect: (s: SchedulerService) => Effect.Effect<A, X>): Promise<A> =>
    closed ? Promise.reject(new SchedulerClosed()) : settle(Effect.flatMap(Scheduler, effect))
  const withId =
    <A, X>(f: (s: SchedulerService, id: ExperimentId) => Effect.Effect<A, X>) =>
    (raw: string) =>
      run((s) => Effect.flatMap(experimentId(raw), (id) => f(s, id)))

  const [endpoint, rt] = await settle(
    Effect.all([SchedulerEndpoint, Effect.runtime<Scheduler | SchedulerEndpoint>()]),
  ).catch(async (error: unknown) => {
    await runtime.dispose()
    return Promise.reject(error)
  })

  async function* progress(raw: string): AsyncGenerator<ExperimentSummary> {
    if (closed) throw new SchedulerClosed()
    const stream = Stream.unwrap(
      Effect.map(Effect.all([Scheduler, experimentId(raw)]), ([s, id]) => s.progress(id)),
    )
    yield* Stream.toAsyncIterableRuntime(stream, rt)
  }

  return {
    endpoint,
    submit: (source, options) => run((s) => s.submit(asSource(source), options)),
    get: withId((s, id) => s.get(id)),
    counts: withId((s, id) => s.counts(id)),
    list: (query) => run((s) => s.list(query)),
    tasks: (query) => run((s) => s.tasks(query)),
    task: (raw) => run((s) => Effect.flatMap(taskId(raw), s.task)),
    logs: (query) => run((s) => s.logs(query)),
    open: (source, options) => run((s) => s.open(asSource(source), options)),
    addTasks: (experiment, instances) =>
      run((s) =>
        typeof experiment === "string"
          ? Effect.flatMap(experimentId(experiment), (id) => s.addTasks(id, instances))
          : s.addTasks(experiment, instances),
      ),
    closeExperiment: withId((s, id) => s.closeExperiment(id)),
    start: withId((s, id) => s.start(id)),
    cancel: (raw, reason) => run((s) => Effect.flatMap(experimentId(raw), (id) => s.cancel(id, reason))),
    pause: withId((s, id) => s.pause(id)),
    resume: withId((s, id) => s.resume(id)),
    retryFailed: withId((s, id) => s.retryFailed(id)),
    wait: withId((s, id) => s.awaitCompletion(id)),
    progress,
    close: async () => {
      if (closed) return
      closed = true
      await runtime.dispose()
    },
  }
}

/**
 * Starts a scheduler and resolves once it is ready: embedded (PGlite, local workers) by default,
 * on PostgreSQL when `url` is given. Rejects with the startup error (bad database URL, port in use…).
 */
export const createScheduler = (options: EmbeddedOptions | PostgresOptions = {}): Promise<PromiseScheduler> =>
  facade(
    ManagedRuntime.make("url" in options ? SchedulerLive.postgres(options) : SchedulerLive.embedded(options)),
  )

/** The facade over any layer that provides the Scheduler and its endpoint (e.g. a custom composition). */
export const createSchedulerFromLayer = <E>(
  layer: Layer.Layer<Scheduler | SchedulerEndpoint, E>,
): Promise<PromiseScheduler> => facade(ManagedRuntime.make(layer))
