/** Submit: a validated spec becomes an experiment whose tasks stream into the Store in batches. */
import { Effect, Schema } from "effect"
import { experimentName } from "../domain/Experiment.js"
import { JsonValue } from "../domain/Fields.js"
import type { ExperimentId, ProjectId, UserId } from "../domain/Ids.js"
import { ExperimentSpec, expand } from "../domain/spec/index.js"
import { Store } from "../ports/Store.js"
import { NewExperiment } from "../ports/StoreModel.js"

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
    return yield* store.createExperiment(input, expand(spec))
  }).pipe(Effect.withSpan("submitExperiment", { captureStackTrace: false }))

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
