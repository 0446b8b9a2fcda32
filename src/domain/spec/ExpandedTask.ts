/**
 * One task instance produced by expanding an experiment spec: the contract between the spec
 * language (which produces them lazily) and the Store (which inserts them in batches).
 */
import { Schema, type Stream } from "effect"
import { ResourceRequirements } from "../Requirements.js"
import { RetryPolicy } from "../RetryPolicy.js"

/** A reference to a declared output of one specific upstream instance, resolved at run time. */
export class OutputRef extends Schema.TaggedClass<OutputRef>()("OutputRef", {
  /** `key` of the upstream ExpandedTask. */
  task: Schema.String,
  /** Name of the output in that task's `task_outputs`. */
  output: Schema.String,
}) {}

export const InputValue = Schema.Union(Schema.String, OutputRef)
export type InputValue = typeof InputValue.Type

export class ExpandedTask extends Schema.Class<ExpandedTask>("ExpandedTask")({
  /** Unique within the experiment and stable across expansions: `${name}[${index}]`. */
  key: Schema.String,
  /** The spec's task name. */
  name: Schema.String,
  /** 0-based instance index within the task's sweep. */
  index: Schema.Int.pipe(Schema.nonNegative()),
  /** The shell script (or command) to run; inputs reach it as environment variables. */
  script: Schema.String,
  /** Handler name, when the task runs an in-process handler instead of a script. */
  handler: Schema.optional(Schema.String),
  /** Bound inputs: parameter name → value or upstream output reference. */
  inputs: Schema.Record({ key: Schema.String, value: InputValue }),
  /** Declared outputs: name → file name, relative to the task's working directory. */
  outputs: Schema.Record({ key: Schema.String, value: Schema.String }),
  /** Extra environment ("KEY=VALUE" entries from resources.environment, already split). */
  environment: Schema.Record({ key: Schema.String, value: Schema.String }),
  /** Instance-level dependencies (`foreach` and `${T.X}` references): keys that must complete first. */
  after: Schema.Array(Schema.String),
  /** Task-level barriers (`depends_on`): every instance of each named task must complete first. */
  afterAll: Schema.Array(Schema.String),
  requirements: ResourceRequirements,
  retry: RetryPolicy,
}) {}

/** A lazily expanded experiment: the count is known before any task is produced. */
export interface Expansion<E = never> {
  readonly total: number
  /** Instance count per spec task name, in topological order. */
  readonly counts: ReadonlyArray<{ readonly name: string; readonly count: number }>
  /** Tasks in topological order (every task comes after everything it waits on). */
  readonly tasks: Stream.Stream<ExpandedTask, E>
  /**
   * The same tasks as a plain iterable, when computing them takes no effects (`expand`): a small
   * submission reads them without paying for a Stream, which costs more to set up than it does.
   */
  readonly instances?: Iterable<ExpandedTask>
}
