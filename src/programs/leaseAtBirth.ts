/**
 * Work submitted in the process of an idle worker's session starts without a claim: the insert is
 * offered that session's free slots, leases what it can to it as it writes the tasks, and the
 * leased tasks are handed to the session directly (ports/IdleSlots.ts).
 */
import { Effect, Exit, Option } from "effect"
import type { ReserveSlots, SlotReservation } from "../ports/IdleSlots.js"
import type { Store } from "../ports/Store.js"
import { type ClaimedTask, Lease, type LeaseOffer } from "../ports/StoreModel.js"

/**
 * Runs `insert` with the slots of an idle session offered, if one has any (reserving up to
 * `count`), and hands what it leased to that session, whatever happens. From the reservation to
 * the hand-over nothing can be interrupted: reserved slots would be lost to the session, and a
 * statement the caller stopped waiting for could still commit its leases, which would then wait
 * out their expiry and count as a failed attempt.
 */
export const leaseAtBirth = <A extends { readonly leased: ReadonlyArray<ClaimedTask> }, E, R>(
  store: Store["Type"],
  reserve: ReserveSlots,
  count: number,
  insert: (offer: LeaseOffer | undefined) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      reserve(count),
      Option.match({
        onNone: () => restore(insert(undefined)),
        onSome: (reservation) =>
          insert({ workerId: reservation.workerId, max: reservation.reserved }).pipe(
            Effect.onExit((exit) =>
              Exit.isSuccess(exit)
                ? handOver(store, reservation, exit.value.leased)
                : reservation.deliver([]),
            ),
          ),
      }),
    ),
  )

// A session that ended meanwhile cannot take its tasks: they go back to the queue at once, as its
// other tasks did when it ended, instead of waiting out their lease.
const handOver = (store: Store["Type"], reservation: SlotReservation, leased: ReadonlyArray<ClaimedTask>) =>
  Effect.flatMap(reservation.deliver(leased), (delivered) =>
    delivered || leased.length === 0
      ? Effect.void
      : store
          .handBack(
            reservation.workerId,
            leased.map((task) => Lease.make({ taskId: task.taskId, attempt: task.attempt })),
          )
          .pipe(
            Effect.catchAll((error) =>
              Effect.logWarning(`could not hand back tasks leased to ${reservation.workerId}`, error),
            ),
          ),
  )
