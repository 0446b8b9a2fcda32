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
import { startHandler } from "./HandlerExecutor.js"
import type { AttemptEvents } from "./OutputCollector.js"
import { startScript } from "./ScriptExecutor.js"
import { type LazyDirectory, lazyAttemptDirectory, prepareAttemptDirectory } from "./TaskDirectory.js"
import type { TaskEvent } from "./TaskEvent.js"
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

const controlOf = (run: TaskRun, options: RunTaskOptions): AttemptControl => ({
  timeout:
    run.timeoutSeconds !== undefined
      ? Duration.seconds(run.timeoutSeconds)
      : options.timeout !== undefined
        ? Duration.decode(options.timeout)
        : Duration.infinity,
  grace: Duration.millis(options.graceMs ?? DEFAULT_GRACE_MS),
  cancel: options.cancel ?? Effect.never,
})

/**
 * A handler's directory: created up front when outputs are declared, since the handler is handed
 * paths inside it to write to; otherwise only if the handler uses it.
 */
const handlerDirectory = (workingDir: string, run: TaskRun): Effect.Effect<LazyDirectory, ExecutorError> =>
  Object.keys(run.outputs).length > 0
    ? Effect.map(prepareAttemptDirectory(workingDir, run), (path) => ({ path, ensure: () => path }))
    : lazyAttemptDirectory(workingDir, run)

/** Starts the attempt in the current scope; its events follow in the result. */
const startAttempt = (
  run: TaskRun,
  options: RunTaskOptions,
): Effect.Effect<AttemptEvents, ExecutorError, Scope.Scope> => {
  const control = controlOf(run, options)
  const name = run.handler
  if (name !== undefined) {
    const registry = options.handlers ?? TaskHandlers.builtin
    const handler = Option.getOrUndefined(registry.get(name))
    if (handler === undefined)
      return Effect.fail(new UnknownHandler({ handler: name, known: registry.names }))
    return Effect.flatMap(handlerDirectory(options.workingDir, run), (directory) =>
      startHandler(run, name, handler, directory, control),
    )
  }
  const script = run.script
  if (script === undefined) {
    return Effect.fail(
      new InvalidTaskRun({ taskId: run.taskId, reason: "it has neither a script nor a handler" }),
    )
  }
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
  Stream.unwrapScoped(Effect.map(startAttempt(run, options), (events) => events.toStream())).pipe(
    Stream.withSpan(SPAN, spanOptions(run)),
  )

/**
 * `runTask` consumed with `Stream.runForEach(f)`, the same events in the same order, without the
 * Stream machinery: per attempt it costs a fraction of it, which the worker's hot path needs.
 */
export const runTaskForEach = <E, R>(
  run: TaskRun,
  options: RunTaskOptions,
  f: (event: TaskEvent) => Effect.Effect<unknown, E, R>,
): Effect.Effect<void, ExecutorError | E, R> =>
  Effect.scoped(Effect.flatMap(startAttempt(run, options), (events) => events.forEach(f))).pipe(
    Effect.withSpan(SPAN, spanOptions(run)),
  )
