/** Submit: a validated spec becomes an experiment whose tasks stream into the Store in batches. */
import { Effect, Schema } from "effect"
import { experimentName } from "../domain/Experiment.js"
import { JsonValue } from "../domain/Fields.js"
import type { ExperimentId, ProjectId, UserId } from "../domain/Ids.js"
import type { Expansion } from "../domain/spec/ExpandedTask.js"
import { ExperimentSpec, expand, withoutInstances } from "../domain/spec/index.js"
import { maxTasksLeasedAtBirth, type ReserveSlots } from "../ports/IdleSlots.js"
import { Store } from "../ports/Store.js"
import { NewExperiment } from "../ports/StoreModel.js"
import { leaseAtBirth } from "./leaseAtBirth.js"

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
  /**
   * Open: the experiment starts with no task instances; its spec's tasks are templates for the
   * instances added with `addTasks` until it is closed (`closeExperiment`), and it finishes then.
   */
  readonly open?: boolean
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
        open: options.open ?? false,
      },
      true,
    )
    const expansion = options.open === true ? withoutInstances(expand(spec)) : expand(spec)
    const reserve = options.reserveSlots
    return reserve === undefined ||
      input.start === false ||
      expansion.total === 0 ||
      expansion.total > maxTasksLeasedAtBirth
      ? yield* store.createExperiment(input, expansion)
      : yield* leaseAndHandOver(store, reserve, input, expansion)
  }).pipe(Effect.withSpan("submitExperiment", { captureStackTrace: false }))

/** Creates the experiment, leasing what it can to slots of an idle session if one has any. */
const leaseAndHandOver = <E>(
  store: Store["Type"],
  reserve: ReserveSlots,
  input: NewExperiment,
  expansion: Expansion<E>,
) =>
  Effect.map(
    leaseAtBirth(store, reserve, expansion.total, (offer) =>
      offer === undefined
        ? Effect.map(store.createExperiment(input, expansion), (summary) => ({ summary, leased: [] }))
        : store.createAndLease(input, expansion, offer),
    ),
    (created) => created.summary,
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
