/**
 * Free slots of workers whose sessions run in this process and whose claims ran dry: a submission
 * made here can lease its ready tasks to one of them as it inserts them (Store.createAndLease) and
 * hand them over directly, without the NOTIFY and the claim that would otherwise start them.
 */
import type { Effect, Option } from "effect"
import type { WorkerId } from "../domain/Ids.js"
import type { ClaimedTask } from "./StoreModel.js"

/**
 * Experiments of at most this many tasks are inserted in one statement (Store.createAndLease), the
 * only ones whose tasks are leased at birth; larger ones are not worth reserving slots for.
 */
export const maxTasksLeasedAtBirth = 2000

/** Slots taken from one idle session, to be filled by one submission. */
export interface SlotReservation {
  readonly workerId: WorkerId
  /** How many slots were taken (at least one). */
  readonly reserved: number
  /**
   * Hands the tasks leased for this reservation to the session, which pushes them to its worker,
   * and gives back the slots they do not fill. Exactly once per reservation, with what was leased
   * (possibly nothing). False when the session has ended: the leases are the caller's to hand back.
   */
  readonly deliver: (tasks: ReadonlyArray<ClaimedTask>) => Effect.Effect<boolean>
}

/** Takes up to `max` free slots of one idle session, if there is one. */
export type ReserveSlots = (max: number) => Effect.Effect<Option.Option<SlotReservation>>
