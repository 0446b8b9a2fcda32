/** The attempt history of a task: one row per claim, kept after retries for diagnosis. */
import { Schema } from "effect"
import { Timestamp } from "./Fields.js"
import { Attempt, TaskId, WorkerId } from "./Ids.js"
import { TaskStatus } from "./Status.js"

/** One claim of a task by a worker and how far it got. */
export class TaskAttempt extends Schema.Class<TaskAttempt>("TaskAttempt")({
  taskId: TaskId,
  /** Starts at 1; equals the task's `attempt` at the moment of the claim. */
  attempt: Attempt.pipe(Schema.greaterThanOrEqualTo(1)),
  workerId: WorkerId,
  startedAt: Timestamp,
  /** Absent while the attempt is live. */
  endedAt: Schema.optional(Timestamp),
  /** Exit code of the script, when it ran to completion. */
  exitCode: Schema.optional(Schema.Int),
  error: Schema.optional(Schema.String),
  /** The last status this attempt reached (FAILED/COMPLETED/CANCELED when it ended, QUEUED when its lease was lost). */
  status: TaskStatus,
}) {}
