/**
 * Checks a draft experiment's task graph (unknown names, missing outputs, cycles, references that
 * cannot be bound to one instance) and produces the ExperimentSpec with tasks in topological order.
 */
import type { DocNode, DocumentReader } from "./DocumentReader.js"
import type { DraftExperiment } from "./DraftExperiment.js"
import type { DraftTask } from "./DraftTask.js"
import { dimensionSize, ExperimentSpec, type FixedInput, SpecRef, TaskSpec } from "./ExperimentSpec.js"
import { didYouMean } from "./Suggest.js"

/** A `from → to` dependency (from waits on to), located where `from` names `to`. */
interface Edge {
  readonly from: string
  readonly to: string
  readonly node: DocNode
  readonly path: string
}

const CYCLE_EXPECTED = `an acyclic task graph (foreach, depends_on and $\{task.OUTPUT} references)`

/** The validated spec, or undefined when the graph has problems (reported to the reader). */
export const resolveGraph = (reader: DocumentReader, draft: DraftExperiment): ExperimentSpec | undefined => {
  const tasks = new Map(draft.tasks.map((t) => [t.name, t]))
  const edges = collectEdges(reader, draft, tasks)
  if (reportCycles(reader, draft.tasks, edges)) return undefined
  const ordered = topologicalOrder(draft.tasks, edges)
  const counts = new Map<string, number>()
  for (const task of ordered) {
    const count = [
      ...task.foreach.map((f) => counts.get(f.name) ?? 1),
      ...task.dimensions.map(dimensionSize),
    ].reduce((a, b) => a * b, 1)
    if (!Number.isSafeInteger(count)) {
      reader.report(
        task.node,
        task.path,
        `task "${task.name}" expands to too many instances`,
        "at most 2^53 − 1 instances",
      )
    }
    counts.set(task.name, count)
  }
  // Instance counts are only trustworthy when every task could be read.
  if (reader.issues.length > 0) return undefined
  for (const task of ordered) {
    const foreach = new Set(task.foreach.map((f) => f.name))
    for (const ref of task.refs) {
      const count = counts.get(ref.task) ?? 1
      if (!foreach.has(ref.task) && count !== 1) {
        reader.report(
          ref.node,
          ref.path,
          `"\${${ref.task}.${ref.output}}" refers to task "${ref.task}", which has ${count} instances`,
          `"${ref.task}" listed in foreach, or a task with exactly one instance`,
        )
      }
    }
  }
  if (reader.issues.length > 0) return undefined
  // Every part was read and checked by the reader, the leaves as validated classes: validating the
  // whole again on construction cost more than reading the document.
  return new ExperimentSpec(
    {
      format: draft.format,
      file: reader.file,
      name: draft.name,
      description: draft.description,
      ...(draft.project === undefined ? {} : { project: draft.project }),
      requirements: draft.requirements,
      constraints: draft.constraints,
      metadata: draft.metadata,
      storage: draft.storage,
      conda: draft.conda,
      pip: draft.pip,
      tasks: ordered.map(toTaskSpec),
    },
    true,
  )
}

const toTaskSpec = (task: DraftTask): TaskSpec => {
  const fixed: Record<string, FixedInput> = Object.fromEntries(task.fixed)
  for (const ref of task.refs) fixed[ref.param] = new SpecRef({ task: ref.task, output: ref.output }, true)
  return new TaskSpec(
    {
      name: task.name,
      script: task.script,
      template: task.template,
      ...(task.handler === undefined ? {} : { handler: task.handler }),
      fixed,
      dimensions: task.dimensions,
      foreach: task.foreach.map((f) => f.name),
      dependsOn: task.dependsOn.map((d) => d.name),
      outputs: task.outputs,
      environment: task.environment,
      requirements: task.requirements,
      nodes: task.nodes,
      ...(task.vramGB === undefined ? {} : { vramGB: task.vramGB }),
      retry: task.retry,
    },
    true,
  )
}

/** The graph's edges; names of unknown tasks and outputs are reported and their edges left out. */
const collectEdges = (
  reader: DocumentReader,
  draft: DraftExperiment,
  tasks: ReadonlyMap<string, DraftTask>,
): Array<Edge> => {
  const edges: Array<Edge> = []
  const known = (name: string, node: DocNode, path: string): boolean => {
    if (tasks.has(name)) return true
    // A declared task that could not be read is already reported; naming it is not a second problem.
    if (draft.declaredTasks.includes(name)) return false
    const hint = didYouMean(name, draft.declaredTasks)
    reader.report(
      node,
      path,
      `unknown task "${name}"${hint === undefined ? "" : `; did you mean "${hint}"?`}`,
      `one of ${draft.declaredTasks.join(", ")}`,
    )
    return false
  }
  for (const task of draft.tasks) {
    for (const use of [...task.foreach, ...task.dependsOn]) {
      if (known(use.name, use.node, use.path))
        edges.push({ from: task.name, to: use.name, node: use.node, path: use.path })
    }
    for (const ref of task.refs) {
      const target = tasks.get(ref.task)
      if (!known(ref.task, ref.node, ref.path) || target === undefined) continue
      const outputs = Object.keys(target.outputs)
      if (!outputs.includes(ref.output)) {
        const hint = didYouMean(ref.output, outputs)
        reader.report(
          ref.node,
          ref.path,
          `task "${ref.task}" has no output "${ref.output}"${hint === undefined ? "" : `; did you mean "${hint}"?`}`,
          outputs.length === 0
            ? `an output declared in ${ref.task}.task_outputs`
            : `one of ${outputs.join(", ")}`,
        )
        continue
      }
      edges.push({ from: task.name, to: ref.task, node: ref.node, path: ref.path })
    }
  }
  return edges
}

/**
 * Reports cycles as `a → b → c → a`: for each task in document order that is not on a cycle already
 * reported, the first cycle through it, located where it names the next task. True if any.
 */
const reportCycles = (
  reader: DocumentReader,
  drafts: ReadonlyArray<DraftTask>,
  edges: ReadonlyArray<Edge>,
): boolean => {
  const out = new Map<string, Array<Edge>>()
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e])
  const reported = new Set<string>()
  let found = false
  for (const start of drafts) {
    if (reported.has(start.name)) continue
    const cycle = findCycle(start.name, out)
    if (cycle === undefined) continue
    found = true
    for (const e of cycle) reported.add(e.from)
    const first = cycle[0]
    if (first === undefined) continue
    const names = [first.from, ...cycle.map((e) => e.to)].join(" → ")
    reader.report(first.node, first.path, `cycle: ${names}`, CYCLE_EXPECTED)
  }
  return found
}

/** The first cycle through `start` found by depth-first search, as its edges; undefined if none. */
const findCycle = (start: string, out: ReadonlyMap<string, ReadonlyArray<Edge>>): Array<Edge> | undefined => {
  const visited = new Set<string>()
  const search = (node: string, path: Array<Edge>): Array<Edge> | undefined => {
    for (const e of out.get(node) ?? []) {
      if (e.to === start) return [...path, e]
      if (visited.has(e.to)) continue
      visited.add(e.to)
      const found = search(e.to, [...path, e])
      if (found !== undefined) return found
    }
    return undefined
  }
  return search(start, [])
}

/** Stable topological order: among the tasks whose dependencies are placed, document order wins. */
const topologicalOrder = (drafts: ReadonlyArray<DraftTask>, edges: ReadonlyArray<Edge>): Array<DraftTask> => {
  const placed = new Set<string>()
  const ordered: Array<DraftTask> = []
  const waitsOn = (name: string) => edges.filter((e) => e.from === name).map((e) => e.to)
  while (ordered.length < drafts.length) {
    const next = drafts.find((t) => !placed.has(t.name) && waitsOn(t.name).every((d) => placed.has(d)))
    if (next === undefined) break
    placed.add(next.name)
    ordered.push(next)
  }
  return ordered
}
