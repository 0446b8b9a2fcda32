/**
 * The executor's entry point: run one attempt and stream what happens.
 *
 * Shape: a single Stream of TaskEvent — `TaskStarted`, `TaskOutput` chunks while it runs, then one
 * `TaskFinished` with the result, then the end of the stream. The worker loop consumes it with one
 * `Stream.runForEach` (report RUNNING on started, forward chunks, report the result on finished);
 * output is never lost between "logs" and "result" because both travel in the same ordered stream.
 *
 * Stopping: `cancel` (an Effect that completes when the attempt must stop, e.g. `Deferred.await`)
 * and the timeout both end the attempt with a `TaskFinished` whose outcome is `canceled` /
 * `timedOut`. Interrupting the consuming fiber also stops the process or handler (same SIGTERM,
 * grace, SIGKILL sequence) but, the consumer being gone, emits nothing more.
 */
import { Duration, Effect, Option, Stream } from "effect"
import type { AttemptControl } from "./AttemptControl.js"
import { type ExecutorError, InvalidTaskRun, UnknownHandler } from "./ExecutorErrors.js"
import { runHandler } from "./HandlerExecutor.js"
import { runScript } from "./ScriptExecutor.js"
import { prepareAttemptDirectory } from "./TaskDirectory.js"
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
 * Runs one attempt of `run`: its handler if it names one, else its script. Fails (before or
 * instead of TaskStarted) only when the attempt cannot start; everything after that is a result.
 */
export const runTask = (run: TaskRun, options: RunTaskOptions): Stream.Stream<TaskEvent, ExecutorError> => {
  const control = controlOf(run, options)
  const attempt: Effect.Effect<Stream.Stream<TaskEvent, ExecutorError>, ExecutorError> = Effect.gen(
    function* () {
      if (run.handler !== undefined) {
        const name = run.handler
        const registry = options.handlers ?? TaskHandlers.builtin
        const handler = yield* Option.match(registry.get(name), {
          onNone: () => Effect.fail(new UnknownHandler({ handler: name, known: registry.names })),
          onSome: Effect.succeed,
        })
        const dir = yield* prepareAttemptDirectory(options.workingDir, run)
        return runHandler(run, name, handler, dir, control)
      }
      if (run.script === undefined) {
        return yield* new InvalidTaskRun({
          taskId: run.taskId,
          reason: "it has neither a script nor a handler",
        })
      }
      const dir = yield* prepareAttemptDirectory(options.workingDir, run)
      return runScript(run, run.script, dir, control)
    },
  )
  return Stream.unwrap(attempt).pipe(
    Stream.withSpan("TaskExecutor.runTask", {
      attributes: { "task.id": run.taskId, "task.key": run.key, "task.attempt": run.attempt },
    }),
  )
}
