/**
 * How a failed command ends: what goes to stderr and which exit code. 2 means the input was
 * invalid (a bad spec, a missing file, bad usage); 1 means anything else went wrong.
 */
import { ValidationError } from "@effect/cli"
import { Console, Effect, Predicate } from "effect"
import { formatIssue, SpecInvalid } from "../domain/spec/index.js"
import { InvalidInput } from "./InvalidInput.js"
import { StdoutClosed } from "./writeStdout.js"

export const EXIT_INVALID_INPUT = 2
export const EXIT_FAILURE = 1

/** Prints `error` to stderr (unless @effect/cli already did) and returns the process exit code. */
export const reportFailure = (error: unknown): Effect.Effect<number> => {
  if (error instanceof SpecInvalid) {
    return Console.error(error.issues.map(formatIssue).join("\n")).pipe(Effect.as(EXIT_INVALID_INPUT))
  }
  if (error instanceof InvalidInput) return Console.error(error.message).pipe(Effect.as(EXIT_INVALID_INPUT))
  // The reader went away (`| head`): it has all it wanted, which is not a failure.
  if (error instanceof StdoutClosed) return Effect.succeed(0)
  // @effect/cli prints usage errors itself before failing with them.
  if (ValidationError.isValidationError(error)) return Effect.succeed(EXIT_INVALID_INPUT)
  const message = Predicate.hasProperty(error, "message") ? String(error.message) : String(error)
  return Console.error(message).pipe(Effect.as(EXIT_FAILURE))
}
