/**
 * Store refusals that are the user's to fix (an unknown id, a control the experiment's status does
 * not allow, a taken name) become the CLI's InvalidInput, which exits with code 2. Everything else
 * (the store unreachable) keeps its error and exits with 1.
 */
import { Effect } from "effect"
import { EntityAlreadyExists, EntityNotFound, IllegalTransition, InvalidInput } from "../../domain/Errors.js"
import { InvalidInput as CliInvalidInput } from "../InvalidInput.js"

/** Errors whose message tells the user what to change. */
export type UserError = EntityNotFound | EntityAlreadyExists | IllegalTransition | InvalidInput

const isUserError = (error: unknown): error is UserError =>
  error instanceof EntityNotFound ||
  error instanceof EntityAlreadyExists ||
  error instanceof IllegalTransition ||
  error instanceof InvalidInput

/** Maps the user's errors in `effect` to exit code 2, keeping the store's message. */
export const asUserErrors = <A, E, R>(
  effect: Effect.Effect<A, E | UserError, R>,
): Effect.Effect<A, E | CliInvalidInput, R> =>
  Effect.mapError(effect, (error) =>
    isUserError(error) ? new CliInvalidInput({ message: error.message }) : error,
  )
