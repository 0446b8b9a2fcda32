/** One entry of the YAML format's `tasks` block, read into a DraftTask. */
import { isSeq } from "yaml"
import { childPath, type DocumentReader, describe, type Field } from "./DocumentReader.js"
import type { DraftTask, NameUse } from "./DraftTask.js"
import { ENV_NAME, ENV_NAME_EXPECTED, TASK_NAME, TASK_NAME_EXPECTED } from "./Names.js"
import type { ParameterDecl } from "./Parameters.js"
import { type ComputeDraft, readResources, toRequirements } from "./SpecResources.js"
import { didYouMean } from "./Suggest.js"
import { readTaskInputs } from "./TaskInputs.js"
import { readRetry } from "./TaskRetry.js"

export const TASK_KEYS = [
  "script",
  "command",
  "handler",
  "description",
  "task_inputs",
  "task_outputs",
  "foreach",
  "depends_on",
  "resources",
  "retries",
  "backoff",
  "timeout",
  "priority",
]

/** What a task reads from the rest of the document. */
export interface TaskContext {
  readonly scripts: ReadonlyMap<string, string>
  /** Undefined when the document declares no `parameters`. */
  readonly parameters: ReadonlyMap<string, ParameterDecl> | undefined
  readonly compute: ComputeDraft
  readonly environment: Readonly<Record<string, string>>
}

/** Reads one task; undefined when it is too broken to take part in graph checks. */
export const readYamlTask = (
  reader: DocumentReader,
  task: Field,
  context: TaskContext,
): DraftTask | undefined => {
  if (!TASK_NAME.test(task.name)) {
    reader.report(task.key, task.path, `invalid task name "${task.name}"`, TASK_NAME_EXPECTED)
    return undefined
  }
  const fields = reader.record(task.value, task.path, TASK_KEYS)
  if (fields === undefined) return undefined
  const body = readBody(reader, task, fields, context.scripts)
  const inputsField = fields.get("task_inputs")
  const inputs =
    inputsField === undefined
      ? { fixed: [], refs: [], dimensions: [] }
      : readTaskInputs(reader, inputsField.value, inputsField.path, context.parameters)
  const outputsField = fields.get("task_outputs")
  const declaredOutputs = outputsField === undefined ? [] : readOutputs(reader, outputsField)
  const bound = new Set([
    ...inputs.fixed.map(([name]) => name),
    ...inputs.refs.map((r) => r.param),
    ...inputs.dimensions.map((d) => d.param),
  ])
  const outputs: Record<string, string> = {}
  for (const { field, file } of declaredOutputs) {
    if (bound.has(field.name)) {
      reader.report(field.key, field.path, `"${field.name}" is both an input and an output`, "distinct names")
    } else outputs[field.name] = file
  }
  const defaults: Array<readonly [string, string]> = []
  for (const decl of context.parameters?.values() ?? []) {
    if (decl.default !== undefined && !bound.has(decl.name) && !(decl.name in outputs)) {
      defaults.push([decl.name, decl.default])
    }
  }
  const resourcesField = fields.get("resources")
  const resources =
    resourcesField === undefined
      ? undefined
      : readResources(reader, resourcesField.value, resourcesField.path, "task")
  const priorityField = fields.get("priority")
  const priority =
    priorityField === undefined ? undefined : reader.integer(priorityField.value, priorityField.path, 0, 10)
  const compute: ComputeDraft = { ...context.compute, ...resources?.compute }
  if (priority !== undefined) compute.priority = priority
  // A task whose body is broken still takes part in the graph checks, so its other problems show.
  return {
    name: task.name,
    node: task.key,
    path: task.path,
    ...(body ?? { script: "", template: false, handler: undefined }),
    fixed: [...inputs.fixed, ...defaults],
    refs: inputs.refs,
    dimensions: inputs.dimensions,
    foreach: readNames(reader, fields.get("foreach")),
    dependsOn: readNames(reader, fields.get("depends_on")),
    outputs,
    environment: { ...context.environment, ...resources?.environment },
    requirements: toRequirements(compute),
    nodes: compute.nodes ?? 1,
    vramGB: compute.vramGB,
    retry: readRetry(reader, fields),
  }
}

type Body = Pick<DraftTask, "script" | "template" | "handler">

const BODY_KEYS = ["script", "command", "handler"] as const

const readBody = (
  reader: DocumentReader,
  task: Field,
  fields: ReadonlyMap<string, Field>,
  scripts: ReadonlyMap<string, string>,
): Body | undefined => {
  const present = BODY_KEYS.flatMap((key) => {
    const field = fields.get(key)
    return field === undefined ? [] : [field]
  })
  const [first, second] = present
  if (first === undefined) {
    reader.report(
      reader.deref(task.value),
      task.path,
      "task has nothing to run",
      "one of script, command, handler",
    )
    return undefined
  }
  if (second !== undefined) {
    reader.report(
      second.key,
      second.path,
      `"${first.name}" and "${second.name}" are both given`,
      "only one of script, command, handler",
    )
    return undefined
  }
  const text = reader.text(first.value, first.path)
  if (text === undefined) return undefined
  switch (first.name) {
    case "command":
      return { script: text, template: false, handler: undefined }
    case "handler":
      return { script: "", template: false, handler: text }
    default: {
      const script = scripts.get(text)
      if (script !== undefined) return { script, template: false, handler: undefined }
      const hint = didYouMean(text, scripts.keys())
      const expected =
        scripts.size === 0 ? "a script defined under scripts" : `one of ${[...scripts.keys()].join(", ")}`
      reader.report(
        reader.deref(first.value),
        first.path,
        `unknown script "${text}"${hint === undefined ? "" : `; did you mean "${hint}"?`}`,
        expected,
      )
      return undefined
    }
  }
}

const OUTPUT_EXPECTED = "a relative file name inside the task's working directory"

const readOutputs = (
  reader: DocumentReader,
  field: Field,
): Array<{ readonly field: Field; readonly file: string }> => {
  const outputs: Array<{ readonly field: Field; readonly file: string }> = []
  for (const output of reader.mapping(field.value, field.path, "a mapping NAME → file name")?.values() ??
    []) {
    if (!ENV_NAME.test(output.name)) {
      reader.report(output.key, output.path, `invalid output name "${output.name}"`, ENV_NAME_EXPECTED)
      continue
    }
    const file = reader.text(output.value, output.path, OUTPUT_EXPECTED)
    if (file === undefined) continue
    if (file === "" || file.startsWith("/") || file.split("/").includes("..")) {
      reader.report(
        reader.deref(output.value),
        output.path,
        `invalid output file ${describe(reader.deref(output.value))}`,
        OUTPUT_EXPECTED,
      )
    }
    // Kept even when invalid (already reported), so references to it are not reported again.
    outputs.push({ field: output, file })
  }
  return outputs
}

/** `foreach` / `depends_on`: a list of task names (a single name is accepted too). */
const readNames = (reader: DocumentReader, field: Field | undefined): Array<NameUse> => {
  if (field === undefined) return []
  const node = reader.deref(field.value)
  const items = isSeq(node) ? (reader.sequence(node, field.path, "") ?? []) : [node]
  const names: Array<NameUse> = []
  items.forEach((item, i) => {
    const path = isSeq(node) ? childPath(field.path, i) : field.path
    const name = reader.text(item, path, "a task name or a list of task names")
    if (name === undefined) return
    if (names.some((n) => n.name === name))
      reader.report(item, path, `task "${name}" is listed twice`, "each task once")
    else names.push({ name, node: item, path })
  })
  return names
}
