/**
 * The Dispatcher fans the Store's change feed (LISTEN/NOTIFY, from any replica) out to the
 * sessions of this process, so a worker with free slots claims as soon as work is ready instead
 * of polling. If the feed drops it is re-subscribed; sessions also poll slowly as a fallback.
 *
 * It also keeps the sessions of this process whose claims ran dry with slots free, for work
 * submitted in this process: `reserveSlots` takes slots of one of them, which the submission fills
 * as it inserts its tasks (ports/IdleSlots.ts).
 */
import { Effect, Option, PubSub, Schedule, type Scope, Stream } from "effect"
import type { WorkerId } from "../domain/Ids.js"
import type { ReserveSlots, SlotReservation } from "../ports/IdleSlots.js"
import { Store } from "../ports/Store.js"
import type { ClaimedTask, StoreChange } from "../ports/StoreModel.js"

/** What a session offers the Dispatcher: its worker, and its free slots while it is idle. */
export interface SessionSlots {
  readonly workerId: WorkerId
  /** Takes up to `max` free slots if the session's claims ran dry; how many it took. */
  readonly reserve: (max: number) => number
  /** The leased tasks for `reserved` slots taken with `reserve`, the rest given back; false once ended. */
  readonly deliver: (tasks: ReadonlyArray<ClaimedTask>, reserved: number) => Effect.Effect<boolean>
}

export class Dispatcher extends Effect.Service<Dispatcher>()("airavata/Dispatcher", {
  scoped: Effect.gen(function* () {
    const store = yield* Store
    // Sliding: a slow subscriber loses old changes, never blocks the feed; each change only means "look again".
    const changes = yield* PubSub.sliding<StoreChange>(1024)
    yield* store.changes.pipe(
      Stream.runForEachChunk((chunk) => PubSub.publishAll(changes, chunk)),
      Effect.tapErrorCause((cause) => Effect.logWarning("change feed lost; resubscribing", cause)),
      Effect.retry(Schedule.exponential("100 millis").pipe(Schedule.union(Schedule.spaced("5 seconds")))),
      Effect.forkScoped,
    )
    // By session, in the order they last had slots taken (least recently first), so submissions
    // spread over idle workers.
    const idle = new Map<string, SessionSlots>()
    const reserveSlots: ReserveSlots = (max) =>
      Effect.sync(() => {
        if (max < 1) return Option.none()
        for (const [id, session] of idle) {
          const reserved = session.reserve(max)
          if (reserved === 0) continue
          idle.delete(id)
          idle.set(id, session)
          const reservation: SlotReservation = {
            workerId: session.workerId,
            reserved,
            deliver: (tasks) => session.deliver(tasks, reserved),
          }
          return Option.some(reservation)
        }
        return Option.none()
      })
    return {
      /** Lists the session's slots for `reserveSlots` until the caller's scope closes. */
      offerSlots: (id: string, session: SessionSlots): Effect.Effect<void, never, Scope.Scope> =>
        Effect.acquireRelease(
          Effect.sync(() => idle.set(id, session)),
          () => Effect.sync(() => idle.delete(id)),
        ),
      reserveSlots,
      /** A queue of every change committed from now on; closed with the caller's scope. */
      subscribe: PubSub.subscribe(changes),
      /** Announce a change made in this process without waiting for the database round trip. */
      publish: (change: StoreChange) => PubSub.publish(changes, change).pipe(Effect.asVoid),
    } as const
  }),
}) {}
