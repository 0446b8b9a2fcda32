/**
 * The executor's entry point: run one attempt and stream what happens.
 *
 * Shape: a single Stream of TaskEvent — `TaskStarted`, `TaskOutput` chunks while it runs, then one
 * `TaskFinished` with the result, then the end of the stream. `runTaskForEach` hands the same events
 * to a function instead, which is how the worker loop consumes them (report RUNNING on started,
 * forward chunks, report the result on finished) because running a Stream costs more per attempt
 * than a no-op handler does; output is never lost between "logs" and "result" because both travel
 * in the same ordered sequence.
 *
 * Stopping: `cancel` (an Effect that completes when the attempt must stop, e.g. `Deferred.await`)
 * and the timeout both end the attempt with a `TaskFinished` whose outcome is `canceled` /
 * `timedOut`. Interrupting the consuming fiber also stops the process or handler (same SIGTERM,
 * grace, SIGKILL sequence) but, the consumer being gone, emits nothing more.
 */
import { Duration, Effect, Option, type Scope, Stream } from "effect"
import type { AttemptControl } from "./AttemptControl.js"
import { type ExecutorError, InvalidTaskRun, UnknownHandler } from "./ExecutorErrors.js"
import { runHandlerForEach, startHandler } from "./HandlerExecutor.js"
import type { AttemptEvents } from "./OutputCollector.js"
import { startScript } from "./ScriptExecutor.js"
import { type LazyDirectory, lazyAttemptDirectory, prepareAttemptDirectory } from "./TaskDirectory.js"
import type { TaskEvent } from "./TaskEvent.js"
import type { TaskHandler } from "./TaskHandler.js"
import { TaskHandlers } from "./TaskHandlers.js"
import type { TaskRun } from "./TaskRun.js"

/** Default grace period between SIGTERM (or fiber interruption) and SIGKILL. */
export const DEFAULT_GRACE_MS = 10_000

export interface RunTaskOptions {
  /** Root under which `<experimentId>/<taskKey>/attempt-<n>` is created. */
  readonly workingDir: string
  /** Limit for attempts whose TaskRun has no `timeoutSeconds`; absent means no limit. */
  readonly timeout?: Duration.DurationInput
  /** Grace period after SIGTERM before SIGKILL; default DEFAULT_GRACE_MS. */
  readonly graceMs?: number
  /** Handlers available to `TaskRun.handler`; default TaskHandlers.builtin. */
  readonly handlers?: TaskHandlers
  /** Completes when the attempt must be canceled. */
  readonly cancel?: Effect.Effect<void>
}

const controlOf = (
  run: TaskRun,
  options: RunTaskOptions,
  cancel: Effect.Effect<void> | undefined,
): AttemptControl => ({
  timeout:
    run.timeoutSeconds !== undefined
      ? Duration.seconds(run.timeoutSeconds)
      : options.timeout !== undefined
        ? Duration.decode(options.timeout)
        : Duration.infinity,
  grace: Duration.millis(options.graceMs ?? DEFAULT_GRACE_MS),
  cancel: cancel ?? Effect.never,
})

/**
 * A handler's directory: created up front when outputs are declared, since the handler is handed
 * paths inside it to write to; otherwise only if the handler uses it.
 */
const handlerDirectory = (workingDir: string, run: TaskRun): Effect.Effect<LazyDirectory, ExecutorError> =>
  Object.keys(run.outputs).length > 0
    ? Effect.map(prepareAttemptDirectory(workingDir, run), (path) => ({ path, ensure: () => path }))
    : lazyAttemptDirectory(workingDir, run)

/** Finds handler `name` and prepares its directory for `use`. */
const withHandler = <A, E, R>(
  run: TaskRun,
  name: string,
  options: RunTaskOptions,
  cancel: Effect.Effect<void> | undefined,
  use: (handler: TaskHandler, directory: LazyDirectory, control: AttemptControl) => Effect.Effect<A, E, R>,
): Effect.Effect<A, ExecutorError | E, R> => {
  const registry = options.handlers ?? TaskHandlers.builtin
  const handler = Option.getOrUndefined(registry.get(name))
  if (handler === undefined) return Effect.fail(new UnknownHandler({ handler: name, known: registry.names }))
  const control = controlOf(run, options, cancel)
  return Effect.flatMap(handlerDirectory(options.workingDir, run), (directory) =>
    use(handler, directory, control),
  )
}

/** Starts the attempt in the current scope; its events follow in the result. */
const startAttempt = (
  run: TaskRun,
  options: RunTaskOptions,
  cancel: Effect.Effect<void> | undefined,
): Effect.Effect<AttemptEvents, ExecutorError, Scope.Scope> => {
  const name = run.handler
  if (name !== undefined) {
    return withHandler(run, name, options, cancel, (handler, directory, control) =>
      startHandler(run, name, handler, directory, control),
    )
  }
  const script = run.script
  if (script === undefined) {
    return Effect.fail(
      new InvalidTaskRun({ taskId: run.taskId, reason: "it has neither a script nor a handler" }),
    )
  }
  const control = controlOf(run, options, cancel)
  return Effect.flatMap(prepareAttemptDirectory(options.workingDir, run), (dir) =>
    startScript(run, script, dir, control),
  )
}

const SPAN = "TaskExecutor.runTask"
const spanOptions = (run: TaskRun) => ({
  attributes: { "task.id": run.taskId, "task.key": run.key, "task.attempt": run.attempt },
  // The call site is always this module; capturing it would cost more than the rest of the span.
  captureStackTrace: false,
})

/**
 * Runs one attempt of `run`: its handler if it names one, else its script. Fails (before or
 * instead of TaskStarted) only when the attempt cannot start; everything after that is a result.
 */
export const runTask = (run: TaskRun, options: RunTaskOptions): Stream.Stream<TaskEvent, ExecutorError> =>
  Stream.unwrapScoped(
    Effect.map(startAttempt(run, options, options.cancel), (events) => events.toStream()),
  ).pipe(Stream.withSpan(SPAN, spanOptions(run)))

/**
 * `runTask` consumed with `Stream.runForEach(f)`, the same events in the same order, without the
 * Stream machinery: per attempt it costs a fraction of it, which the worker's hot path needs. For
 * the same reason it opens no span (a span costs more than a no-op handler's whole attempt), and a
 * handler's attempt needs no Scope: it is released right after its last event.
 */
export const runTaskForEach = <E, R>(
  run: TaskRun,
  options: RunTaskOptions,
  f: (event: TaskEvent) => Effect.Effect<unknown, E, R>,
): Effect.Effect<void, ExecutorError | E, R> => runTaskForEachWith(run, options, options.cancel, f)

/** `runTaskForEach` with the cancel signal apart from the options, which can then be shared. */
export const runTaskForEachWith = <E, R>(
  run: TaskRun,
  options: RunTaskOptions,
  cancel: Effect.Effect<void> | undefined,
  f: (event: TaskEvent) => Effect.Effect<unknown, E, R>,
): Effect.Effect<void, ExecutorError | E, R> => {
  const name = run.handler
  if (name === undefined)
    return Effect.scoped(Effect.flatMap(startAttempt(run, options, cancel), (events) => events.forEach(f)))
  return withHandler(run, name, options, cancel, (handler, directory, control) =>
    runHandlerForEach(run, name, handler, directory, control, f),
  )
}
