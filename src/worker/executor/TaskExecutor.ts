/**
 * The executor as a service, configured once per worker (working directory, default timeout,
 * grace period, handlers), so the worker loop depends on a Tag and its tests can supply a fake.
 */
import { Context, type Effect, Layer, type Stream } from "effect"
import type { ExecutorError } from "./ExecutorErrors.js"
import { type RunTaskOptions, runTask } from "./runTask.js"
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
  }
>() {
  /** The real executor with a fixed configuration. */
  static readonly layer = (config: TaskExecutorConfig): Layer.Layer<TaskExecutor> =>
    Layer.succeed(TaskExecutor, {
      run: (run, options) =>
        runTask(run, options?.cancel === undefined ? config : { ...config, cancel: options.cancel }),
    })
}
