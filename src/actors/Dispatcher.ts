/**
 * The Dispatcher fans the Store's change feed (LISTEN/NOTIFY, from any replica) out to the
 * sessions of this process, so a worker with free slots claims as soon as work is ready instead
 * of polling. If the feed drops it is re-subscribed; sessions also poll slowly as a fallback.
 */
import { Effect, PubSub, Schedule, Stream } from "effect"
import { Store } from "../ports/Store.js"
import type { StoreChange } from "../ports/StoreModel.js"

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
    return {
      /** A queue of every change committed from now on; closed with the caller's scope. */
      subscribe: PubSub.subscribe(changes),
      /** Announce a change made in this process without waiting for the database round trip. */
      publish: (change: StoreChange) => PubSub.publish(changes, change).pipe(Effect.asVoid),
    } as const
  }),
}) {}
