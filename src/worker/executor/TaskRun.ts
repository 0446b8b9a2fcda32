/**
 * One attempt of one task as the worker receives it: what the executor needs to run it. Upstream
 * output references are already resolved to file paths by the caller.
 */
import { Schema } from "effect"
import { Attempt, ExperimentId, TaskId } from "../../domain/Ids.js"
import { assemble } from "./internal/assemble.js"

const ENV_NAME = /^[^=\0]+$/

/** An environment value; NUL would truncate it in the child's environment block. */
export const EnvValue = Schema.String.pipe(
  Schema.pattern(/^[^\0]*$/),
  Schema.annotations({ description: "environment variable value without NUL" }),
)

/**
 * Name → value pairs destined for a process environment. Names are checked by a filter rather
 * than a refined key schema, which would silently drop an invalid name instead of rejecting it.
 */
export const EnvRecord = Schema.Record({ key: Schema.String, value: EnvValue }).pipe(
  Schema.filter((record) => {
    const bad = Object.keys(record).filter((name) => !ENV_NAME.test(name))
    return (
      bad.length === 0 ||
      `invalid environment variable names (empty, or containing '=' or NUL): ${bad.join(", ")}`
    )
  }),
)

/**
 * Whether EnvRecord accepts `record`, checked by hand: the worker checks every attempt's bindings,
 * and only a rejected record needs the schema (for its message).
 */
export const isEnvRecord = (record: Readonly<Record<string, unknown>>): boolean => {
  for (const name of Object.keys(record)) {
    const value = record[name]
    if (typeof value !== "string" || !ENV_NAME.test(name) || value.includes("\0")) return false
  }
  return true
}

export class TaskRun extends Schema.Class<TaskRun>("TaskRun")({
  taskId: TaskId,
  experimentId: ExperimentId,
  /** The task's key within its experiment (`name[index]`); names the working directory. */
  key: Schema.NonEmptyString,
  /** Attempt number, starting at 1; each attempt gets its own directory. */
  attempt: Attempt,
  /** Bash script text; run when no `handler` is given. */
  script: Schema.optional(Schema.String),
  /** Name of an in-process handler; takes precedence over `script`. */
  handler: Schema.optional(Schema.String),
  /** Inputs, exported to the script as environment variables (values are literal strings or paths). */
  inputs: EnvRecord,
  /** Declared outputs: name → file name relative to the attempt directory, exported like inputs. */
  outputs: EnvRecord,
  /** Extra environment from the spec's `resources.environment`. */
  environment: EnvRecord,
  /** Wall-clock limit of this attempt; overrides the worker's default timeout. */
  timeoutSeconds: Schema.optional(Schema.Int.pipe(Schema.positive())),
}) {}

/** A TaskRun of fields already checked (see assemble): the worker makes one per task. */
export const makeTaskRun = (fields: ConstructorParameters<typeof TaskRun>[0]): TaskRun =>
  assemble(TaskRun, fields)
