/**
 * One instance of a spec task with inputs given by the caller instead of a sweep: what is added to
 * an open experiment. The task's fixed inputs are defaults, its swept inputs must all be given, and
 * it may wait on nothing (no `foreach`, references or `depends_on`), since it is added after the
 * tasks it would wait on may have run.
 */
import { Either } from "effect"
import { InvalidInput } from "../errors/ValidationErrors.js"
import { renderTemplate } from "./CommandTemplate.js"
import { ExpandedTask } from "./ExpandedTask.js"
import type { Dimension, ExperimentSpec, TaskSpec } from "./ExperimentSpec.js"

/** A task instance to add: the spec task's name and its inputs. */
export interface TaskInstance {
  readonly task: string
  readonly inputs: Readonly<Record<string, string>>
}

const sweptParams = (dimension: Dimension): ReadonlyArray<string> =>
  dimension._tag === "SetsDimension" ? [...new Set(dimension.sets.flatMap(Object.keys))] : [dimension.param]

const waitsOnOthers = (task: TaskSpec, spec: ExperimentSpec): string | undefined => {
  if (task.foreach.length > 0) return `it runs once per instance of ${task.foreach.join(", ")}`
  if (task.dependsOn.length > 0) return `it depends on ${task.dependsOn.join(", ")}`
  const ref = Object.entries(task.fixed).find(([, value]) => typeof value !== "string")
  if (ref !== undefined) return `its input ${ref[0]} refers to another task's output`
  const waiting = spec.tasks.find((t) => t.dependsOn.includes(task.name) || t.foreach.includes(task.name))
  return waiting === undefined ? undefined : `task ${waiting.name} waits on all of its instances`
}

/**
 * Instance `n` of the experiment's additions; its `key` and `index` are placeholders, which the
 * store replaces when it inserts the task.
 */
export const instantiate = (
  spec: ExperimentSpec,
  instance: TaskInstance,
  n = 0,
): Either.Either<ExpandedTask, InvalidInput> => {
  const at = `tasks[${n}]`
  const task = spec.tasks.find((t) => t.name === instance.task)
  if (task === undefined) {
    return Either.left(
      new InvalidInput({
        path: `${at}.task`,
        expected: `a task of the experiment's spec: ${spec.tasks.map((t) => t.name).join(", ")}`,
        actual: instance.task,
      }),
    )
  }
  const why = waitsOnOthers(task, spec)
  if (why !== undefined) {
    return Either.left(
      new InvalidInput({
        path: `${at}.task`,
        expected: "a task that waits on no other task (an added task may run before them)",
        actual: `${task.name}: ${why}`,
      }),
    )
  }
  const swept = task.dimensions.flatMap(sweptParams)
  const known = [...new Set([...Object.keys(task.fixed), ...swept])]
  const unknown = Object.keys(instance.inputs).find((name) => !known.includes(name))
  if (unknown !== undefined) {
    return Either.left(
      new InvalidInput({
        path: `${at}.inputs.${unknown}`,
        expected:
          known.length === 0 ? `no inputs (${task.name} declares none)` : `one of ${known.join(", ")}`,
        actual: unknown,
      }),
    )
  }
  const missing = swept.find((name) => instance.inputs[name] === undefined)
  if (missing !== undefined) {
    return Either.left(
      new InvalidInput({ path: `${at}.inputs.${missing}`, expected: `a value: ${task.name} sweeps it` }),
    )
  }
  const inputs: Record<string, string> = {}
  for (const [name, value] of Object.entries(task.fixed)) if (typeof value === "string") inputs[name] = value
  Object.assign(inputs, instance.inputs)
  // Validation is skipped: the fields come from a validated spec and the inputs checked above.
  return Either.right(
    new ExpandedTask(
      {
        key: task.name,
        name: task.name,
        index: 0,
        script: task.template ? renderTemplate(task.script, inputs) : task.script,
        ...(task.handler === undefined ? {} : { handler: task.handler }),
        inputs,
        outputs: task.outputs,
        environment: task.environment,
        after: [],
        afterAll: [],
        requirements: task.requirements,
        retry: task.retry,
      },
      true,
    ),
  )
}
