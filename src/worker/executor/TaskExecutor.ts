/**
 * The executor as a service, configured once per worker (working directory, default timeout,
 * grace period, handlers), so the worker loop depends on a Tag and its tests can supply a fake.
 */
import { Context, Duration, type Effect, Layer, type Stream } from "effect"
import type { ExecutorError } from "./ExecutorErrors.js"
import { type RunTaskOptions, runTask, runTaskForEachWith } from "./runTask.js"
import type { TaskEvent } from "./TaskEvent.js"
import type { TaskRun } from "./TaskRun.js"

export type TaskExecutorConfig = Omit<RunTaskOptions, "cancel">

export class TaskExecutor extends Context.Tag("airavata/worker/TaskExecutor")<
  TaskExecutor,
  {
    /** Runs one attempt; `cancel` completes when it must be canceled. See `runTask`. */
    readonly run: (
      run: TaskRun,
      options?: { readonly cancel?: Effect.Effect<void> },
    ) => Stream.Stream<TaskEvent, ExecutorError>
    /**
     * Runs one attempt and applies `f` to each of its events in order: `run` consumed with
     * `Stream.runForEach`, at a fraction of the cost per attempt. See `runTaskForEach`.
     */
    readonly runForEach: <E, R>(
      run: TaskRun,
      f: (event: TaskEvent) => Effect.Effect<unknown, E, R>,
      options?: { readonly cancel?: Effect.Effect<void> },
    ) => Effect.Effect<void, ExecutorError | E, R>
  }
>() {
  /** The real executor with a fixed configuration. */
  static readonly layer = (config: TaskExecutorConfig): Layer.Layer<TaskExecutor> => {
    // Decoded once here rather than on every attempt.
    const base: RunTaskOptions =
      config.timeout === undefined ? config : { ...config, timeout: Duration.decode(config.timeout) }
    const withCancel = (options?: { readonly cancel?: Effect.Effect<void> }): RunTaskOptions =>
      options?.cancel === undefined ? base : { ...base, cancel: options.cancel }
    return Layer.succeed(TaskExecutor, {
      run: (run, options) => runTask(run, withCancel(options)),
      runForEach: (run, f, options) => runTaskForEachWith(run, base, options?.cancel, f),
    })
  }
}
