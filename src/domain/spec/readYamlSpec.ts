/** The CLI YAML format (reference §13.2): parameters, scripts, tasks and resources. */
import type { DocumentReader } from "./DocumentReader.js"
import { baseName, checkExperimentName, checkProjectName, type DraftExperiment } from "./DraftExperiment.js"
import type { DraftTask } from "./DraftTask.js"
import { SpecConstraints } from "./ExperimentSpec.js"
import type { ParameterDecl } from "./Parameters.js"
import { readParameters } from "./Parameters.js"
import { readYamlTask } from "./readYamlTask.js"
import { readResources, toRequirements } from "./SpecResources.js"

export const YAML_KEYS = ["name", "description", "project", "parameters", "scripts", "tasks", "resources"]

/** Reads a YAML-format document; problems go to the reader's issues. */
export const readYamlSpec = (reader: DocumentReader): DraftExperiment | undefined => {
  const fields = reader.record(reader.root, "", YAML_KEYS, ["tasks"])
  if (fields === undefined) return undefined
  const text = (key: string): string | undefined => {
    const field = fields.get(key)
    return field === undefined ? undefined : reader.text(field.value, field.path)
  }
  const parametersField = fields.get("parameters")
  const parameters: ReadonlyMap<string, ParameterDecl> | undefined =
    parametersField === undefined
      ? undefined
      : readParameters(reader, parametersField.value, parametersField.path)
  const scripts = new Map<string, string>()
  const scriptsField = fields.get("scripts")
  const scriptFields =
    scriptsField === undefined
      ? undefined
      : reader.mapping(scriptsField.value, scriptsField.path, "a mapping NAME → bash script")
  for (const script of scriptFields?.values() ?? []) {
    const body = reader.text(script.value, script.path, "the text of a bash script")
    // A broken script is already reported; keeping its name avoids a second "unknown script" issue.
    scripts.set(script.name, body ?? "")
  }
  const resourcesField = fields.get("resources")
  const resources =
    resourcesField === undefined
      ? undefined
      : readResources(reader, resourcesField.value, resourcesField.path, "experiment")
  const tasks: Array<DraftTask> = []
  const tasksField = fields.get("tasks")
  const taskFields =
    tasksField === undefined ? undefined : reader.mapping(tasksField.value, "tasks", "a mapping NAME → task")
  if (tasksField !== undefined && taskFields?.size === 0) {
    reader.report(
      reader.deref(tasksField.value),
      "tasks",
      "expected at least one task, found none",
      "a mapping NAME → task",
    )
  }
  const context = {
    scripts,
    parameters,
    compute: resources?.compute ?? {},
    environment: resources?.environment ?? {},
  }
  for (const task of taskFields?.values() ?? []) {
    const draft = readYamlTask(reader, task, context)
    if (draft !== undefined) tasks.push(draft)
  }
  const project = text("project")
  const projectField = fields.get("project")
  if (project !== undefined && projectField !== undefined)
    checkProjectName(reader, projectField.value, projectField.path, project)
  // Without a `name`, the file's base name; a `name` that is not text is reported already.
  const nameField = fields.get("name")
  const given = text("name")
  const name = given ?? baseName(reader.file)
  if (given !== undefined || nameField === undefined)
    checkExperimentName(reader, nameField?.value ?? reader.root, name)
  return {
    format: "yaml",
    name,
    description: text("description") ?? "",
    ...(project === undefined ? {} : { project }),
    requirements: toRequirements(resources?.compute ?? {}),
    constraints: SpecConstraints.make({ preferredResources: [], excludedResources: [] }),
    metadata: {},
    storage: resources?.storage ?? [],
    conda: resources?.conda ?? [],
    pip: resources?.pip ?? [],
    tasks,
    declaredTasks: [...(taskFields?.keys() ?? [])],
  }
}
