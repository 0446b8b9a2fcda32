/** Submit: a validated spec becomes an experiment whose tasks stream into the Store in batches. */
import { Effect, Exit, Option, Schema } from "effect"
import { experimentName } from "../domain/Experiment.js"
import { JsonValue } from "../domain/Fields.js"
import type { ExperimentId, ProjectId, UserId } from "../domain/Ids.js"
import type { Expansion } from "../domain/spec/ExpandedTask.js"
import { ExperimentSpec, expand } from "../domain/spec/index.js"
import { maxTasksLeasedAtBirth, type ReserveSlots, type SlotReservation } from "../ports/IdleSlots.js"
import { Store } from "../ports/Store.js"
import { type ClaimedTask, Lease, NewExperiment } from "../ports/StoreModel.js"

export interface SubmitOptions {
  readonly ownerId: UserId
  readonly projectId: ProjectId
  /** Fixed id for idempotent resubmission; generated otherwise. */
  readonly id?: ExperimentId
  /** Overrides the spec's name. */
  readonly name?: string
  /** false keeps the experiment CREATED until started. */
  readonly start?: boolean
  /** When the name is taken in the project, use `<name>-2`, `<name>-3`, … instead of failing. */
  readonly freshName?: boolean
  /**
   * Free slots of idle workers whose sessions run in this process (the Dispatcher's): the
   * experiment's first ready tasks are leased to one of them as they are inserted.
   */
  readonly reserveSlots?: ReserveSlots
}

const submitOnce = (spec: ExperimentSpec, options: SubmitOptions) =>
  Effect.gen(function* () {
    const store = yield* Store
    const name = yield* experimentName(options.name ?? spec.name)
    // Stored as submitted, so the experiment can be expanded again (resubmit, derivative experiments).
    const encoded = yield* Schema.encode(ExperimentSpec)(spec).pipe(
      Effect.flatMap(Schema.decodeUnknown(JsonValue)),
      Effect.orDie,
    )
    // Made without the schema's checks: the name was checked just above, the encoded spec just
    // now, the requirements are the spec's (checked by its schema), the ids are branded. Checking
    // them all again walked the spec once more.
    const input = NewExperiment.make(
      {
        ...(options.id === undefined ? {} : { id: options.id }),
        name,
        description: spec.description,
        projectId: options.projectId,
        ownerId: options.ownerId,
        spec: encoded,
        requirements: spec.requirements,
        start: options.start ?? true,
      },
      true,
    )
    const expansion = expand(spec)
    const reserve = options.reserveSlots
    return reserve === undefined || input.start === false || expansion.total > maxTasksLeasedAtBirth
      ? yield* store.createExperiment(input, expansion)
      : yield* leaseAndHandOver(store, reserve, input, expansion)
  }).pipe(Effect.withSpan("submitExperiment", { captureStackTrace: false }))

/**
 * Creates the experiment leasing what it can to slots of an idle session, if one has any, and hands
 * that to the session, whatever happens. From the reservation to the hand-over nothing can be
 * interrupted: reserved slots would be lost to the session, and a statement the caller stopped
 * waiting for could still commit its leases, which would then wait out their expiry and count as a
 * failed attempt.
 */
const leaseAndHandOver = <E>(
  store: Store["Type"],
  reserve: ReserveSlots,
  input: NewExperiment,
  expansion: Expansion<E>,
) =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      reserve(expansion.total),
      Option.match({
        onNone: () => restore(store.createExperiment(input, expansion)),
        onSome: (reservation) =>
          store
            .createAndLease(input, expansion, { workerId: reservation.workerId, max: reservation.reserved })
            .pipe(
              Effect.onExit((exit) =>
                Exit.isSuccess(exit)
                  ? handOver(store, reservation, exit.value.leased)
                  : reservation.deliver([]),
              ),
              Effect.map((created) => created.summary),
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

export const submitExperiment = (spec: ExperimentSpec, options: SubmitOptions) => {
  const base = options.name ?? spec.name
  const attempt = (n: number): ReturnType<typeof submitOnce> =>
    submitOnce(spec, { ...options, name: n === 1 ? base : `${base}-${n}` }).pipe(
      Effect.catchTag("EntityAlreadyExists", (e) =>
        options.freshName === true && e.field === "name" && n < 1000 ? attempt(n + 1) : Effect.fail(e),
      ),
    )
  return attempt(1)
}
