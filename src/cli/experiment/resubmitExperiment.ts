/**
 * A derivative experiment: the stored spec of an experiment, decoded and expanded again, submitted
 * as a new experiment in the same project with the same owner, requirements and constraints. Its
 * metadata records the original's id under `resubmittedFrom`.
 */
import { Effect } from "effect"
import { EntityAlreadyExists } from "../../domain/Errors.js"
import { experimentName } from "../../domain/Experiment.js"
import type { ExperimentId } from "../../domain/Ids.js"
import { expand, withoutInstances } from "../../domain/spec/index.js"
import { Store } from "../../ports/Store.js"
import type { CreateExperimentError } from "../../ports/StoreErrors.js"
import { type ExperimentSummary, NewExperiment } from "../../ports/StoreModel.js"
import { StoredSpecUnreadable, storedSpec } from "../../programs/storedSpec.js"

export { StoredSpecUnreadable }

const SUFFIX = /-resubmit-\d+$/
const MAX_NAME = 255

/**
 * `sweep` → `sweep-resubmit-1`; a resubmission's resubmission counts on (`sweep-resubmit-2`). A long
 * name is cut to fit, never between the two halves of a character outside the BMP.
 */
export const resubmitName = (original: string, n: number): string => {
  const suffix = `-resubmit-${n}`
  const base = original.replace(SUFFIX, "")
  let cut = Math.min(base.length, MAX_NAME - suffix.length)
  const last = base.charCodeAt(cut - 1)
  if (cut < base.length && last >= 0xd800 && last <= 0xdbff) cut--
  return `${base.slice(0, cut)}${suffix}`
}

const isNameTaken = (error: unknown): error is EntityAlreadyExists =>
  error instanceof EntityAlreadyExists && error.field === "name"

/**
 * Submits experiment `id` again. With `name`, under that name; otherwise under the first free
 * `<name>-resubmit-<n>` (the Store's unique name constraint decides, so concurrent resubmissions
 * cannot pick the same one).
 */
export const resubmitExperiment = (id: ExperimentId, name?: string) =>
  Effect.gen(function* () {
    const store = yield* Store
    const original = (yield* store.getExperiment(id)).experiment
    const spec = yield* storedSpec(original)
    const submit = (as: string): Effect.Effect<ExperimentSummary, CreateExperimentError> =>
      Effect.flatMap(experimentName(as), (name) =>
        store.createExperiment(
          NewExperiment.make({
            name,
            description: original.description,
            projectId: original.projectId,
            ownerId: original.ownerId,
            spec: original.spec,
            requirements: original.requirements,
            constraints: original.constraints,
            metadata: { ...original.metadata, resubmittedFrom: original.id },
            open: original.open,
          }),
          // An open experiment's tasks were added one by one: its derivative starts open and empty.
          original.open ? withoutInstances(expand(spec)) : expand(spec),
        ),
      )
    if (name !== undefined) return yield* submit(name)
    const attempt = (n: number): Effect.Effect<ExperimentSummary, CreateExperimentError> =>
      submit(resubmitName(original.name, n)).pipe(Effect.catchIf(isNameTaken, () => attempt(n + 1)))
    return yield* attempt(1)
  }).pipe(Effect.withSpan("resubmitExperiment", { attributes: { experimentId: id } }))
