/** Errors about experiments as a whole. */
import { Schema } from "effect"
import { ExperimentId } from "../Ids.js"
import { ExperimentStatus } from "../Status.js"

/** The operation (delete, update) needs the experiment to be idle, and it is running. */
export class ExperimentInProgress extends Schema.TaggedError<ExperimentInProgress>()("ExperimentInProgress", {
  experimentId: ExperimentId,
  status: ExperimentStatus,
  /** The refused operation, e.g. "delete". */
  operation: Schema.String,
}) {
  readonly code = "EXPERIMENT_IN_PROGRESS"
  override get message() {
    return `cannot ${this.operation} experiment ${this.experimentId}: it is ${this.status}`
  }
}

/** The operation is not allowed in the experiment's current status. */
export class InvalidExperimentState extends Schema.TaggedError<InvalidExperimentState>()(
  "InvalidExperimentState",
  {
    experimentId: ExperimentId,
    status: ExperimentStatus,
    operation: Schema.String,
    /** Statuses in which the operation is allowed. */
    allowed: Schema.Array(ExperimentStatus),
  },
) {
  readonly code = "INVALID_EXPERIMENT_STATE"
  override get message() {
    return `cannot ${this.operation} experiment ${this.experimentId} in ${this.status}; allowed in ${this.allowed.join(", ")}`
  }
}

/** The experiment cannot start, e.g. it expands to no tasks or a requirement fits no resource. */
export class ExperimentNotRunnable extends Schema.TaggedError<ExperimentNotRunnable>()(
  "ExperimentNotRunnable",
  {
    experimentId: ExperimentId,
    reason: Schema.String,
  },
) {
  readonly code = "EXPERIMENT_NOT_RUNNABLE"
  override get message() {
    return `experiment ${this.experimentId} cannot run: ${this.reason}`
  }
}
