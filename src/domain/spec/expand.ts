/**
 * Lazy expansion of a spec into task instances. Counts come from the spec alone; each instance is
 * computed from its index when the stream reaches it, so memory stays flat however large the sweep.
 *
 * Instance `i` of a task is the mixed-radix number whose digits are, in order, the instance index of
 * each `foreach` task and the value index of each sweep dimension; the last digit varies fastest.
 */
import { Stream } from "effect"
import { renderTemplate } from "./CommandTemplate.js"
import { ExpandedTask, type Expansion, type InputValue, OutputRef } from "./ExpandedTask.js"
import { type Dimension, dimensionSize, type ExperimentSpec, type TaskSpec } from "./ExperimentSpec.js"

/** The key of instance `index` of task `name`. */
export const taskKey = (name: string, index: number): string => `${name}[${index}]`

/** Everything about a task that is the same for all its instances, computed once. */
interface Plan {
  readonly task: TaskSpec
  readonly count: number
  /** foreach counts, then dimension sizes. */
  readonly radices: ReadonlyArray<number>
  readonly strings: ReadonlyArray<readonly [string, string]>
  /** References: to a foreach task (bound per instance, by digit) or to a single-instance task. */
  readonly refs: ReadonlyArray<{
    readonly param: string
    readonly task: string
    readonly output: string
    readonly digit: number
  }>
  /** Keys every instance waits on whatever its index (single-instance references). */
  readonly fixedAfter: ReadonlyArray<string>
}

const plan = (task: TaskSpec, counts: ReadonlyMap<string, number>): Plan => {
  const radices = [...task.foreach.map((f) => counts.get(f) ?? 1), ...task.dimensions.map(dimensionSize)]
  const strings: Array<readonly [string, string]> = []
  const refs: Array<Plan["refs"][number]> = []
  const fixedAfter = new Set<string>()
  for (const [param, value] of Object.entries(task.fixed)) {
    if (typeof value === "string") {
      strings.push([param, value])
      continue
    }
    const digit = task.foreach.indexOf(value.task)
    refs.push({ param, task: value.task, output: value.output, digit })
    if (digit < 0) fixedAfter.add(taskKey(value.task, 0))
  }
  const count = radices.reduce((a, b) => a * b, 1)
  return { task, count, radices, strings, refs, fixedAfter: [...fixedAfter] }
}

const valueAt = (dimension: Dimension, i: number, inputs: Record<string, InputValue>): void => {
  switch (dimension._tag) {
    case "ListDimension":
      inputs[dimension.param] = dimension.values[i] ?? ""
      return
    case "RangeDimension":
      inputs[dimension.param] = String(dimension.start + i * dimension.step)
      return
    case "SetsDimension":
      Object.assign(inputs, dimension.sets[i])
      return
  }
}

const instance = (p: Plan, index: number): ExpandedTask => {
  const { task, radices } = p
  const digits = new Array<number>(radices.length)
  let rest = index
  for (let d = radices.length - 1; d >= 0; d--) {
    const radix = radices[d] ?? 1
    digits[d] = rest % radix
    rest = Math.floor(rest / radix)
  }
  const inputs: Record<string, InputValue> = Object.fromEntries(p.strings)
  const after = task.foreach.map((f, d) => taskKey(f, digits[d] ?? 0))
  for (const ref of p.refs) {
    const upstream = taskKey(ref.task, ref.digit < 0 ? 0 : (digits[ref.digit] ?? 0))
    inputs[ref.param] = new OutputRef({ task: upstream, output: ref.output }, true)
  }
  after.push(...p.fixedAfter)
  task.dimensions.forEach((dimension, d) => {
    valueAt(dimension, digits[task.foreach.length + d] ?? 0, inputs)
  })
  let script = task.script
  if (task.template) {
    const values: Record<string, string> = {}
    for (const [k, v] of Object.entries(inputs)) if (typeof v === "string") values[k] = v
    script = renderTemplate(script, values)
  }
  // Validation is skipped: every field is built from an already validated spec.
  return new ExpandedTask(
    {
      key: taskKey(task.name, index),
      name: task.name,
      index,
      script,
      ...(task.handler === undefined ? {} : { handler: task.handler }),
      inputs,
      outputs: task.outputs,
      environment: task.environment,
      after,
      afterAll: task.dependsOn,
      requirements: task.requirements,
      retry: task.retry,
    },
    true,
  )
}

function* generate(plans: ReadonlyArray<Plan>): Generator<ExpandedTask> {
  for (const p of plans) for (let i = 0; i < p.count; i++) yield instance(p, i)
}

/** Expands a validated spec lazily: `total` and `counts` are known at once, `tasks` computes on demand. */
export const expand = (spec: ExperimentSpec): Expansion => {
  const counts = new Map<string, number>()
  const plans: Array<Plan> = []
  for (const task of spec.tasks) {
    const p = plan(task, counts)
    counts.set(task.name, p.count)
    plans.push(p)
  }
  const instances: Iterable<ExpandedTask> = { [Symbol.iterator]: () => generate(plans) }
  return {
    total: plans.reduce((sum, p) => sum + p.count, 0),
    counts: plans.map((p) => ({ name: p.task.name, count: p.count })),
    tasks: Stream.fromIterable(instances),
    instances,
  }
}

/** The expansion of an open experiment: the spec's task names, none instantiated (instantiate adds them). */
export const withoutInstances = <E>(expansion: Expansion<E>): Expansion<E> => ({
  total: 0,
  counts: expansion.counts.map(({ name }) => ({ name, count: 0 })),
  tasks: Stream.empty,
  instances: [],
})
