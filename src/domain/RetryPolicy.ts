/**
 * Per-task retry policy: how many times a failed or lost attempt is retried and how long to wait
 * before each retry. The wait is persisted as the task's `not_before`, so it survives restarts.
 */
import { Duration, Schema } from "effect"

export class Backoff extends Schema.Class<Backoff>("Backoff")({
  /** Delay before the first retry, in milliseconds. */
  baseMs: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 1_000 }),
  /** Growth per retry; finite, so the delay is always a number (capped by `maxMs`). */
  factor: Schema.optionalWith(Schema.Finite.pipe(Schema.greaterThanOrEqualTo(1)), { default: () => 2 }),
  maxMs: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 300_000 }),
  /** Fraction (0–1) of the delay randomised away, so retries of a sweep do not arrive in lockstep. */
  jitter: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.1 }),
}) {}

export class RetryPolicy extends Schema.Class<RetryPolicy>("RetryPolicy")({
  /** Retries after the first attempt; 0 means a failure is final. */
  retries: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 3 }),
  backoff: Schema.optionalWith(Backoff, { default: () => Backoff.make({}) }),
  /** Wall-clock limit of one attempt, in seconds; absent means no limit. */
  timeoutSeconds: Schema.optional(Schema.Int.pipe(Schema.positive())),
}) {}

/**
 * Delay before retry number `retry` (1 for the first retry), given a random number in [0, 1).
 * Pure, so the store and the TestClock-driven tests compute the same `not_before`.
 */
export const retryDelay = (backoff: Backoff, retry: number, random: number): Duration.Duration => {
  const growth = backoff.factor ** Math.max(0, retry - 1)
  // growth overflows to Infinity for large retries; 0 × Infinity would be NaN, so a zero base stays zero.
  const raw = backoff.baseMs === 0 ? 0 : Math.min(backoff.maxMs, backoff.baseMs * growth)
  return Duration.millis(Math.round(raw * (1 - backoff.jitter * random)))
}
