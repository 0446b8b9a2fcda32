/**
 * A validated experiment spec: what `loadSpec` produces from either format and `expand` consumes.
 * Every name it mentions exists, its task graph is acyclic and its tasks are in topological order.
 * It is a Schema class, so the Store can keep its encoded form and expand it again after a restart.
 */
import { Schema } from "effect"
import { JsonObject } from "../Fields.js"
import { ResourceRequirements } from "../Requirements.js"
import { RetryPolicy } from "../RetryPolicy.js"

/** A swept input given as a list: one instance per value. */
export class ListDimension extends Schema.TaggedClass<ListDimension>()("ListDimension", {
  param: Schema.String,
  values: Schema.NonEmptyArray(Schema.String),
}) {}

/** A swept input given as an inclusive integer range `start..end:step`. */
export class RangeDimension extends Schema.TaggedClass<RangeDimension>()("RangeDimension", {
  param: Schema.String,
  start: Schema.Int,
  end: Schema.Int,
  step: Schema.Int.pipe(Schema.positive()),
}) {}

/** The API format's explicit parameter sets: one instance per set, no product. */
export class SetsDimension extends Schema.TaggedClass<SetsDimension>()("SetsDimension", {
  sets: Schema.NonEmptyArray(Schema.Record({ key: Schema.String, value: Schema.String })),
}) {}

export const Dimension = Schema.Union(ListDimension, RangeDimension, SetsDimension)
export type Dimension = typeof Dimension.Type

/** Number of values a dimension contributes. */
export const dimensionSize = (d: Dimension): number => {
  switch (d._tag) {
    case "ListDimension":
      return d.values.length
    case "RangeDimension":
      return d.end < d.start ? 0 : Math.floor((d.end - d.start) / d.step) + 1
    case "SetsDimension":
      return d.sets.length
  }
}

/** A reference, in the spec, to output `output` of task `task` (bound to an instance on expansion). */
export class SpecRef extends Schema.TaggedClass<SpecRef>()("SpecRef", {
  task: Schema.String,
  output: Schema.String,
}) {}

/** An input bound to the same value in every instance of a task. */
export const FixedInput = Schema.Union(Schema.String, SpecRef)
export type FixedInput = typeof FixedInput.Type

/** One task of the spec, before expansion into instances. */
export class TaskSpec extends Schema.Class<TaskSpec>("TaskSpec")({
  name: Schema.String,
  /** Script text (or the API's command template). */
  script: Schema.String,
  /** True when `script` is a command template whose `{key}`/`{{key}}` placeholders take the inputs. */
  template: Schema.Boolean,
  handler: Schema.optional(Schema.String),
  /** Inputs with one value for every instance: scalars, references and parameter defaults. */
  fixed: Schema.Record({ key: Schema.String, value: FixedInput }),
  /** Swept inputs, in document order; the last varies fastest. */
  dimensions: Schema.Array(Dimension),
  /** Tasks this one is instantiated once per instance of (their product), in document order. */
  foreach: Schema.Array(Schema.String),
  /** Tasks every instance of which must complete before any instance of this one starts. */
  dependsOn: Schema.Array(Schema.String),
  /** Declared outputs: name → file name relative to the working directory. */
  outputs: Schema.Record({ key: Schema.String, value: Schema.String }),
  environment: Schema.Record({ key: Schema.String, value: Schema.String }),
  requirements: ResourceRequirements,
  /** `resources.compute.node`: nodes per instance (not yet used by placement). */
  nodes: Schema.Int.pipe(Schema.positive()),
  /** `resources.compute.vram_gb`: GPU memory per instance (not yet used by placement). */
  vramGB: Schema.optional(Schema.Finite.pipe(Schema.nonNegative())),
  retry: RetryPolicy,
}) {}

/** A `resources.storage` entry `"<storage>:<remote>:<local>"`: mounted into each task's directory. */
export class StorageMount extends Schema.Class<StorageMount>("StorageMount")({
  storage: Schema.String,
  remote: Schema.String,
  local: Schema.String,
}) {}

/** The API format's placement constraints, as written; the Store turns them into ExperimentConstraints. */
export class SpecConstraints extends Schema.Class<SpecConstraints>("SpecConstraints")({
  maxCost: Schema.optional(Schema.Finite.pipe(Schema.nonNegative())),
  /** ISO-8601 date-time. */
  deadline: Schema.optional(Schema.String),
  preferredResources: Schema.Array(Schema.String),
  excludedResources: Schema.Array(Schema.String),
}) {}

export class ExperimentSpec extends Schema.Class<ExperimentSpec>("ExperimentSpec")({
  /** Which of the two formats the document was written in. */
  format: Schema.Literal("api", "yaml"),
  file: Schema.String,
  name: Schema.String,
  description: Schema.String,
  /** `projectId` (API) or `project` (YAML), when given. */
  project: Schema.optional(Schema.String),
  /** Experiment-level requirements (`requirements` or `resources.compute`). */
  requirements: ResourceRequirements,
  constraints: SpecConstraints,
  metadata: JsonObject,
  storage: Schema.Array(StorageMount),
  conda: Schema.Array(Schema.String),
  pip: Schema.Array(Schema.String),
  /** Tasks in topological order: each comes after every task it waits on. */
  tasks: Schema.Array(TaskSpec),
}) {}
