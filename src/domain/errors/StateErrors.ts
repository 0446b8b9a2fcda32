/** Errors of the pure state machines. */
import { Schema } from "effect"

/** An entity was asked to move between two states its state machine does not connect. */
export class IllegalTransition extends Schema.TaggedError<IllegalTransition>()("IllegalTransition", {
  entity: Schema.Literal("experiment", "task", "worker"),
  id: Schema.optional(Schema.String),
  from: Schema.String,
  to: Schema.String,
}) {
  readonly code = "INVALID_STATE_TRANSITION"
  override get message() {
    const which = this.id === undefined ? this.entity : `${this.entity} ${this.id}`
    return `${which} cannot move from ${this.from} to ${this.to}`
  }
}
