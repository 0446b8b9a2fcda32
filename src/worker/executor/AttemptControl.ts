/** The limits every attempt runs under, whether script or handler: a timeout, a cancel signal, a grace period. */
import { Duration, Effect } from "effect"

export interface AttemptControl {
  /** Wall-clock limit measured by Effect's Clock; `Duration.infinity` for none. */
  readonly timeout: Duration.Duration
  /** How long a stopped attempt may take to wind down before it is killed. */
  readonly grace: Duration.Duration
  /** Completes when the attempt must be canceled. */
  readonly cancel: Effect.Effect<void>
}

export type StopReason = "timedOut" | "canceled"

export type RaceOutcome<A> =
  | { readonly _tag: "Done"; readonly value: A }
  | { readonly _tag: "Stopped"; readonly reason: StopReason }

/** Waits for `work`, the timeout or the cancel signal, whichever comes first. */
export const raceStop = <A>(
  work: Effect.Effect<A>,
  control: AttemptControl,
): Effect.Effect<RaceOutcome<A>> => {
  const stop = (reason: StopReason): RaceOutcome<A> => ({ _tag: "Stopped", reason })
  const timeout = Duration.isFinite(control.timeout)
    ? Effect.as(Effect.sleep(control.timeout), stop("timedOut"))
    : Effect.never
  return Effect.raceAll([
    Effect.map(work, (value): RaceOutcome<A> => ({ _tag: "Done", value })),
    timeout,
    Effect.as(control.cancel, stop("canceled")),
  ])
}

/** The first words of a stopped attempt's result message. */
export const stopMessage = (reason: StopReason, control: AttemptControl): string =>
  reason === "timedOut" ? `timed out after ${Duration.format(control.timeout)}` : "canceled"
