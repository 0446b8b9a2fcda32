/** Errors of placement and provisioning. */
import { Schema } from "effect"
import { ExperimentId } from "../Ids.js"

/** No connected worker can take the task now, and none can be provisioned. */
export class NoAvailableWorkers extends Schema.TaggedError<NoAvailableWorkers>()("NoAvailableWorkers", {
  experimentId: Schema.optional(ExperimentId),
  reason: Schema.String,
}) {
  readonly code = "NO_AVAILABLE_WORKERS"
  override get message() {
    const scope = this.experimentId === undefined ? "" : ` for experiment ${this.experimentId}`
    return `no available workers${scope}: ${this.reason}`
  }
}

/** No compute resource satisfies the requirements and constraints of some task of the experiment. */
export class NoEligibleResource extends Schema.TaggedError<NoEligibleResource>()("NoEligibleResource", {
  experimentId: ExperimentId,
  /** Task name (or key) whose requirements nothing fits. */
  task: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "NO_ELIGIBLE_RESOURCE"
  override get message() {
    return `experiment ${this.experimentId}: no compute resource can run task ${this.task}: ${this.reason}`
  }
}

/** The cheapest plan costs more than the experiment's `maxCost`. */
export class CostLimitExceeded extends Schema.TaggedError<CostLimitExceeded>()("CostLimitExceeded", {
  experimentId: ExperimentId,
  maxCost: Schema.Number,
  estimatedCost: Schema.Number,
}) {
  readonly code = "COST_LIMIT_EXCEEDED"
  override get message() {
    return `experiment ${this.experimentId}: estimated cost ${this.estimatedCost} exceeds maxCost ${this.maxCost}`
  }
}

/** The fastest plan finishes after the experiment's deadline. */
export class DeadlineUnreachable extends Schema.TaggedError<DeadlineUnreachable>()("DeadlineUnreachable", {
  experimentId: ExperimentId,
  deadline: Schema.DateTimeUtc,
  estimatedCompletion: Schema.DateTimeUtc,
}) {
  readonly code = "DEADLINE_UNREACHABLE"
  override get message() {
    return `experiment ${this.experimentId}: estimated completion ${this.estimatedCompletion.toString()} is after the deadline ${this.deadline.toString()}`
  }
}
