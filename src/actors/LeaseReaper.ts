/**
 * The LeaseReaper takes back leases whose workers went silent without closing their stream
 * (crash without FIN, network partition): the Store requeues them with backoff or fails them when
 * out of retries. Any number of replicas may run it; the Store makes concurrent passes safe.
 */
import { Duration, Effect, Layer, Schedule } from "effect"
import { Store } from "../ports/Store.js"

export interface LeaseReaperOptions {
  /** Time between passes; default 1 s, so an expired lease is reclaimed within a second of expiry. */
  readonly interval?: Duration.DurationInput
  /** Leases taken per pass. */
  readonly batch?: number
}

/** One pass: reaps until a pass comes back short, so a backlog drains at once. */
export const reapExpired = (batch: number) =>
  Effect.gen(function* () {
    const store = yield* Store
    let total = 0
    for (;;) {
      const revoked = yield* store.reap(batch)
      const n = revoked.requeued.length + revoked.failed.length
      total += n
      if (revoked.failed.length > 0) {
        yield* Effect.logInfo("leases expired with no retries left").pipe(
          Effect.annotateLogs("tasks", revoked.failed.map((l) => l.taskId).join(",")),
        )
      }
      if (n < batch) return total
    }
  }).pipe(Effect.withSpan("LeaseReaper.pass"))

export const LeaseReaperLive = (options: LeaseReaperOptions = {}) =>
  Layer.scopedDiscard(
    reapExpired(options.batch ?? 500).pipe(
      Effect.tap((n) => (n > 0 ? Effect.logInfo(`reaped ${n} expired lease(s)`) : Effect.void)),
      Effect.catchAllCause((cause) => Effect.logWarning("lease reaper pass failed", cause)),
      Effect.repeat(Schedule.spaced(options.interval ?? Duration.seconds(1))),
      Effect.forkScoped,
    ),
  )
