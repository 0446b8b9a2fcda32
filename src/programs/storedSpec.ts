/** The spec an experiment was submitted with, as stored with it, decoded again. */
import { Effect, Schema } from "effect"
import type { Experiment } from "../domain/Experiment.js"
import type { ExperimentId } from "../domain/Ids.js"
import { ExperimentSpec } from "../domain/spec/index.js"

/** The experiment's stored spec no longer decodes (written by an incompatible version). */
export class StoredSpecUnreadable extends Schema.TaggedError<StoredSpecUnreadable>()("StoredSpecUnreadable", {
  experimentId: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return `the stored spec of experiment ${this.experimentId} cannot be read: ${this.reason}`
  }
}

export const storedSpec = (experiment: Experiment): Effect.Effect<ExperimentSpec, StoredSpecUnreadable> =>
  Schema.decodeUnknown(ExperimentSpec)(experiment.spec).pipe(
    Effect.mapError(
      (error) =>
        new StoredSpecUnreadable({ experimentId: experiment.id as ExperimentId, reason: error.message }),
    ),
  )
