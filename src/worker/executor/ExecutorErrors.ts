/**
 * Errors of the worker's task executor. Executor errors (`TaskWorkdirError`, `TaskSpawnError`,
 * `UnknownHandler`, `InvalidTaskRun`) mean the attempt could not start; a script's non-zero exit or a
 * handler's `HandlerError` is not an executor error but a `failed` TaskResult.
 */
import { Schema } from "effect"

/** The attempt's working directory, script file or log files could not be prepared. */
export class TaskWorkdirError extends Schema.TaggedError<TaskWorkdirError>()("TaskWorkdirError", {
  path: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "TASK_WORKDIR_FAILED"
  override get message() {
    return `cannot prepare task directory ${this.path}: ${this.reason}`
  }
}

/** The operating system refused to start the script's interpreter. */
export class TaskSpawnError extends Schema.TaggedError<TaskSpawnError>()("TaskSpawnError", {
  command: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "TASK_SPAWN_FAILED"
  override get message() {
    return `cannot start ${this.command}: ${this.reason}`
  }
}

/** The assignment names a handler that is not registered on this worker. */
export class UnknownHandler extends Schema.TaggedError<UnknownHandler>()("UnknownHandler", {
  handler: Schema.String,
  known: Schema.Array(Schema.String),
}) {
  readonly code = "UNKNOWN_HANDLER"
  override get message() {
    return `no task handler named "${this.handler}" (registered: ${this.known.join(", ") || "none"})`
  }
}

/** The assignment carries neither a script nor a handler name. */
export class InvalidTaskRun extends Schema.TaggedError<InvalidTaskRun>()("InvalidTaskRun", {
  taskId: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "INVALID_TASK_RUN"
  override get message() {
    return `task ${this.taskId} cannot run: ${this.reason}`
  }
}

/** A handler module could not be imported or does not default-export a record of handler functions. */
export class HandlerModuleError extends Schema.TaggedError<HandlerModuleError>()("HandlerModuleError", {
  path: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "HANDLER_MODULE_INVALID"
  override get message() {
    return `cannot load task handlers from ${this.path}: ${this.reason}`
  }
}

/** What an in-process handler fails with; it becomes a `failed` TaskResult carrying this message. */
export class HandlerError extends Schema.TaggedError<HandlerError>()("HandlerError", {
  message: Schema.String,
}) {
  readonly code = "HANDLER_FAILED"
}

/** Every way `runTask` can fail before the attempt produces a result. */
export type ExecutorError = TaskWorkdirError | TaskSpawnError | UnknownHandler | InvalidTaskRun
