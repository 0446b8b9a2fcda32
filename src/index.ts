/**
 * airavata-scheduler: the embeddable library. Start with `Scheduler` + `SchedulerLive` (Effect) or
 * `createScheduler` (Promises); see docs/library.md. The testing harness is the separate entry
 * `airavata-scheduler/testing`.
 */

// Building blocks for custom compositions: the ports, their layers, the replica's actors.
export { Dispatcher } from "./actors/Dispatcher.js"
export { isTerminalStatus } from "./actors/ExperimentWatch.js"
// The Scheduler service and its ready-made layers.
export {
  type ListQuery,
  type LogsQuery,
  type OpenExperiment,
  Scheduler,
  type SchedulerOptions,
  type SchedulerService,
  type SubmitError,
  type SubmitOptions,
  type TasksQuery,
} from "./actors/Scheduler.js"
export type { SpecSource } from "./actors/SpecSource.js"
export { SchedulerActorsLive, serveScheduler, startSchedulerReplica } from "./api/SchedulerServer.js"
// The domain: ids, statuses, entities, the error catalogue, the spec language.
export * from "./domain/Errors.js"
export { Experiment } from "./domain/Experiment.js"
export * from "./domain/Ids.js"
export { Backoff, RetryPolicy } from "./domain/RetryPolicy.js"
export * from "./domain/Status.js"
export {
  ExperimentSpec,
  formatIssue,
  loadSpec,
  parseSpec,
  SpecInvalid,
  SpecIssue,
  type TaskInstance,
} from "./domain/spec/index.js"
export { Task } from "./domain/Task.js"
export { TaskAttempt } from "./domain/TaskAttempt.js"
// The Promise facade.
export {
  createScheduler,
  createSchedulerFromLayer,
  type PromiseScheduler,
  type PromiseSpecSource,
} from "./facade/createScheduler.js"
export { SchedulerClosed, SchedulerInterrupted } from "./facade/FacadeErrors.js"
export * as LocalCompute from "./layers/compute/local/LocalCompute.js"
export { StoreLive, type StoreStartupError } from "./layers/store/StoreLive.js"
export { Compute, type ComputeService, PilotHandle, PilotSpec } from "./ports/Compute.js"
export { Store, type StoreService } from "./ports/Store.js"
export type * from "./ports/StoreErrors.js"
export {
  CancelResult,
  ExperimentQuery,
  ExperimentSummary,
  LogEntry,
  LogQuery,
  RetryResult,
  TaskCounts,
  TaskDetail,
  TaskPage,
  TaskQuery,
} from "./ports/StoreModel.js"
export { StoredSpecUnreadable } from "./programs/storedSpec.js"
export {
  type EmbeddedOptions,
  type PostgresOptions,
  SchedulerEndpoint,
  type SchedulerEndpointInfo,
  SchedulerLive,
  type SchedulerLiveServices,
} from "./SchedulerLive.js"

// In-process task handlers, for `handlersModule` and the testing harness.
export {
  type HandlerContext,
  HandlerError,
  HandlerResult,
  type TaskHandler,
  TaskHandlers,
} from "./worker/executor/index.js"
