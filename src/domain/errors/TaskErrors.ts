/**
 * Errors about tasks and their attempts. The fencing errors (TaskNotAssigned, StaleAttempt,
 * LeaseLost) are how the store tells a worker that its report no longer counts.
 */
import { Schema } from "effect"
import { Attempt, TaskId, WorkerId } from "../Ids.js"

/** A worker reported on, or asked about, a task it does not hold a lease on. */
export class TaskNotAssigned extends Schema.TaggedError<TaskNotAssigned>()("TaskNotAssigned", {
  taskId: TaskId,
  workerId: WorkerId,
}) {
  readonly code = "TASK_NOT_ASSIGNED"
  override get message() {
    return `task ${this.taskId} is not assigned to worker ${this.workerId}`
  }
}

/** A report names an attempt that is no longer the task's current one; it is ignored. */
export class StaleAttempt extends Schema.TaggedError<StaleAttempt>()("StaleAttempt", {
  taskId: TaskId,
  reported: Attempt,
  current: Attempt,
}) {
  readonly code = "STALE_ATTEMPT"
  override get message() {
    return `task ${this.taskId}: report for attempt ${this.reported} rejected, current attempt is ${this.current}`
  }
}

/** The worker's lease on the attempt expired (and the task was requeued) before it could extend it. */
export class LeaseLost extends Schema.TaggedError<LeaseLost>()("LeaseLost", {
  taskId: TaskId,
  workerId: WorkerId,
  attempt: Attempt,
}) {
  readonly code = "LEASE_LOST"
  override get message() {
    return `worker ${this.workerId} lost its lease on task ${this.taskId} attempt ${this.attempt}`
  }
}

/** The task failed and its retry policy allows no further attempt. */
export class TaskRetryExhausted extends Schema.TaggedError<TaskRetryExhausted>()("TaskRetryExhausted", {
  taskId: TaskId,
  attempts: Schema.Int,
  retries: Schema.Int,
}) {
  readonly code = "TASK_RETRY_EXHAUSTED"
  override get message() {
    return `task ${this.taskId} failed after ${this.attempts} attempts (${this.retries} retries allowed)`
  }
}

/** The attempt ran past its policy's `timeoutSeconds`. */
export class TaskTimedOut extends Schema.TaggedError<TaskTimedOut>()("TaskTimedOut", {
  taskId: TaskId,
  attempt: Attempt,
  timeoutSeconds: Schema.Int,
}) {
  readonly code = "TASK_TIMEOUT"
  override get message() {
    return `task ${this.taskId} attempt ${this.attempt} exceeded its ${this.timeoutSeconds}s timeout`
  }
}

/** An upstream task failed or was canceled, so this one can never run. */
export class DependencyFailed extends Schema.TaggedError<DependencyFailed>()("DependencyFailed", {
  taskId: TaskId,
  /** Key of the upstream task instance. */
  dependency: Schema.String,
}) {
  readonly code = "TASK_DEPENDENCY_FAILED"
  override get message() {
    return `task ${this.taskId} cannot run: its dependency ${this.dependency} did not complete`
  }
}
