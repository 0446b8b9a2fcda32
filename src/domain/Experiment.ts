/** An experiment: a submitted spec, the tasks it expands into, and its lifecycle. */
import { DateTime, Effect, Either, Schema } from "effect"
import { InvalidInput } from "./errors/ValidationErrors.js"
import {
  boundedString,
  JsonValue,
  metadataField,
  NonNegativeInt,
  NonNegativeNumber,
  Timestamp,
} from "./Fields.js"
import { ComputeResourceId, ExperimentId, ProjectId, UserId } from "./Ids.js"
import { ResourceRequirements } from "./Requirements.js"
import { ExperimentStatus } from "./Status.js"

/** An experiment's name: unique within its project, 1 to 255 characters, no surrounding whitespace. */
export const ExperimentName = boundedString(1, 255)

/** What an experiment name must be, in words (errors and spec issues). */
export const EXPERIMENT_NAME_EXPECTED =
  "an experiment name of 1 to 255 characters without leading or trailing whitespace"

/** `name` quoted for a message, shortened when long. */
export const quoteName = (name: string): string =>
  JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name)

const decodeName = Schema.decodeUnknownEither(ExperimentName)

/**
 * `name` as an experiment's name, or InvalidInput at `name`: for names that come from a user (a
 * spec, an option) before anything is built from them or written.
 */
export const experimentName = (name: string): Effect.Effect<string, InvalidInput> =>
  Either.match(decodeName(name), {
    onRight: Effect.succeed,
    onLeft: () =>
      Effect.fail(
        new InvalidInput({
          path: "name",
          expected: EXPERIMENT_NAME_EXPECTED,
          actual: quoteName(name),
        }),
      ),
  })

/** Limits placement must respect. */
export class ExperimentConstraints extends Schema.Class<ExperimentConstraints>("ExperimentConstraints")(
  Schema.Struct({
    /** Most the whole experiment may cost, in the currency of `costPerHour`. */
    maxCost: Schema.optional(NonNegativeNumber),
    /** Time by which every task should have completed. */
    deadline: Schema.optional(Timestamp),
    /** Tried first when they fit. */
    preferredResources: Schema.optionalWith(Schema.Array(ComputeResourceId), { default: () => [] }),
    /** Never used. */
    excludedResources: Schema.optionalWith(Schema.Array(ComputeResourceId), { default: () => [] }),
  }).pipe(
    Schema.filter((c) => {
      const both = c.preferredResources.filter((id) => c.excludedResources.includes(id))
      return (
        both.length === 0 || {
          path: ["excludedResources"],
          message: `expected no resource both preferred and excluded, got ${both.join(", ")}`,
        }
      )
    }),
  ),
) {}

/**
 * An experiment. `spec` is the submitted document (Go API JSON or CLI YAML, parsed and validated
 * by the spec language), kept so expansion can resume after a restart and plans can be rebuilt.
 */
export class Experiment extends Schema.Class<Experiment>("Experiment")(
  Schema.Struct({
    id: ExperimentId,
    name: ExperimentName,
    description: Schema.optionalWith(Schema.String, { default: () => "" }),
    projectId: ProjectId,
    ownerId: UserId,
    status: Schema.optionalWith(ExperimentStatus, { default: () => "CREATED" }),
    spec: JsonValue,
    /** Defaults for tasks that state no requirements of their own. */
    requirements: Schema.optionalWith(ResourceRequirements, { default: () => ResourceRequirements.make({}) }),
    constraints: Schema.optionalWith(ExperimentConstraints, {
      default: () => ExperimentConstraints.make({}),
    }),
    /**
     * Number of task instances: what the spec expands to, known before any is written, plus the
     * tasks added since to an open experiment.
     */
    totalTasks: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
    /** Accepts added tasks, and does not finish until closed (an open experiment). */
    open: Schema.optionalWith(Schema.Boolean, { default: () => false }),
    metadata: metadataField,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    /** Set when the experiment first enters EXECUTING. */
    startedAt: Schema.optional(Timestamp),
    /** Set when it reaches COMPLETED, FAILED or CANCELED. */
    completedAt: Schema.optional(Timestamp),
  }).pipe(
    Schema.filter((e) => {
      const deadline = e.constraints.deadline
      return (
        deadline === undefined ||
        DateTime.greaterThan(deadline, e.createdAt) || {
          path: ["constraints", "deadline"],
          message: "expected a deadline after the experiment's creation time",
        }
      )
    }),
  ),
) {}
