/** A command was given input it cannot use (a bad option value, an unwritable output). Exit code 2. */
import { Schema } from "effect"

export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String,
}) {
  readonly code = "INVALID_INPUT"
}
