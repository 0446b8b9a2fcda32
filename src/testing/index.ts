/**
 * airavata-scheduler/testing: a deterministic harness for testing your own experiments and
 * handlers without processes, sockets or sleeps. See TestScheduler and docs/library.md.
 */

export { StoreLive } from "../layers/store/StoreLive.js"
export {
  type HandlerContext,
  HandlerError,
  type TaskHandler,
  TaskHandlers,
} from "../worker/executor/index.js"
export {
  type InProcessWorkerOptions,
  startInProcessWorker,
  testCapabilities,
} from "./InProcessWorker.js"
export { ExperimentStuck } from "./TestErrors.js"
export {
  Settled,
  TestScheduler,
  type TestSchedulerOptions,
  type TestSchedulerService,
} from "./TestScheduler.js"
