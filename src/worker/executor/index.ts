/** The worker's task executor: run one attempt of a task as a bash script or an in-process handler. */

export {
  type ExecutorError,
  HandlerError,
  HandlerModuleError,
  InvalidTaskRun,
  TaskSpawnError,
  TaskWorkdirError,
  UnknownHandler,
} from "./ExecutorErrors.js"
export { loadHandlerModule } from "./HandlerModule.js"
export { DEFAULT_GRACE_MS, type RunTaskOptions, runTask, runTaskForEach } from "./runTask.js"
export { attemptDirectory, sanitizeSegment } from "./TaskDirectory.js"
export { INHERITED_VARIABLES, taskEnvironment } from "./TaskEnvironment.js"
export {
  MAX_CHUNK_BYTES,
  OutputChunk,
  OutputFile,
  OutputStreamName,
  TaskEvent,
  TaskFinished,
  TaskOutcome,
  TaskOutput,
  TaskResult,
  TaskStarted,
} from "./TaskEvent.js"
export { TaskExecutor, type TaskExecutorConfig } from "./TaskExecutor.js"
export { type HandlerContext, HandlerResult, type TaskHandler } from "./TaskHandler.js"
export { noopHandler, sleepHandler, TaskHandlers } from "./TaskHandlers.js"
export { EnvRecord, EnvValue, isEnvRecord, makeTaskRun, TaskRun } from "./TaskRun.js"
