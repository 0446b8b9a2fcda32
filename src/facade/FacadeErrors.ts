/** Errors only the Promise facade raises; everything else rejects with the Scheduler's own typed errors. */
import { Schema } from "effect"

/** A method was called after `close()`. */
export class SchedulerClosed extends Schema.TaggedError<SchedulerClosed>()("SchedulerClosed", {}) {
  readonly code = "SCHEDULER_CLOSED"
  override get message() {
    return "the scheduler was closed"
  }
}

/** The call was interrupted (the scheduler closed while it ran). */
export class SchedulerInterrupted extends Schema.TaggedError<SchedulerInterrupted>()(
  "SchedulerInterrupted",
  {},
) {
  readonly code = "SCHEDULER_INTERRUPTED"
  override get message() {
    return "the call was interrupted because the scheduler closed"
  }
}
