/**
 * The experiment spec language: `loadSpec` parses and validates a document in either format,
 * `expand` turns the validated spec into a lazy stream of task instances.
 */
export { placeholders, renderTemplate } from "./CommandTemplate.js"
export * from "./ExpandedTask.js"
export {
  Dimension,
  dimensionSize,
  ExperimentSpec,
  FixedInput,
  ListDimension,
  RangeDimension,
  SetsDimension,
  SpecConstraints,
  SpecRef,
  StorageMount,
  TaskSpec,
} from "./ExperimentSpec.js"
export { expand, taskKey, withoutInstances } from "./expand.js"
export { instantiate, type TaskInstance } from "./instantiate.js"
export { loadSpec, parseSpec } from "./loadSpec.js"
export { API_TASK_NAME } from "./readApiSpec.js"
export { formatIssue, SpecInvalid, SpecIssue } from "./SpecError.js"
