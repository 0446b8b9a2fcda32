/** Errors of the testing harness. */
import { Schema } from "effect"

/**
 * Nothing can move the experiment on: no attempt is running, nothing is queued for a later time,
 * and it is not finished (it is PAUSED or CREATED, or its queued tasks fit no test worker).
 */
export class ExperimentStuck extends Schema.TaggedError<ExperimentStuck>()("ExperimentStuck", {
  experimentId: Schema.String,
  status: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "TEST_EXPERIMENT_STUCK"
  override get message() {
    return `experiment ${this.experimentId} (${this.status}) cannot make progress: ${this.reason}`
  }
}
