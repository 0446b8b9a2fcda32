/**
 * The API JSON format (reference §13.1): a command template run once per explicit parameter set.
 * Task i ↔ parameter set i; the single spec task is named `task`, so keys are `task[0]`, `task[1]`, …
 */
import { Either, Schema } from "effect"
import { JsonObject } from "../Fields.js"
import { ResourceRequirements, Walltime } from "../Requirements.js"
import { Backoff, RetryPolicy } from "../RetryPolicy.js"
import { placeholders } from "./CommandTemplate.js"
import { childPath, type DocNode, type DocumentReader, describe, type Field } from "./DocumentReader.js"
import { checkExperimentName, checkProjectName, type DraftExperiment } from "./DraftExperiment.js"
import { CLOCK_EXPECTED, DURATION_EXPECTED, formatClock, parseClock, parseDuration } from "./Durations.js"
import { SetsDimension, SpecConstraints } from "./ExperimentSpec.js"
import { ENV_NAME, ENV_NAME_EXPECTED } from "./Names.js"

/** The name of the API format's one task. */
export const API_TASK_NAME = "task"

export const API_KEYS = [
  "name",
  "description",
  "projectId",
  "commandTemplate",
  "outputPattern",
  "parameters",
  "requirements",
  "constraints",
  "metadata",
]
const REQUIRED = ["name", "projectId", "commandTemplate", "parameters"]

/** Reads an API-format document; problems go to the reader's issues. */
export const readApiSpec = (reader: DocumentReader): DraftExperiment | undefined => {
  const fields = reader.record(reader.root, "", API_KEYS, REQUIRED)
  if (fields === undefined) return undefined
  const text = (key: string): string | undefined => {
    const field = fields.get(key)
    return field === undefined ? undefined : reader.text(field.value, field.path)
  }
  const name = text("name")
  const nameField = fields.get("name")
  if (name !== undefined && nameField !== undefined) checkExperimentName(reader, nameField.value, name)
  const project = text("projectId")
  const projectField = fields.get("projectId")
  if (project !== undefined && projectField !== undefined)
    checkProjectName(reader, projectField.value, projectField.path, project)
  const template = text("commandTemplate")
  text("outputPattern")
  const parametersField = fields.get("parameters")
  const sets = parametersField === undefined ? [] : readSets(reader, parametersField)
  const templateField = fields.get("commandTemplate")
  if (template !== undefined && templateField !== undefined)
    checkPlaceholders(reader, template, templateField, sets)
  const requirementsField = fields.get("requirements")
  const requirements =
    requirementsField === undefined
      ? ResourceRequirements.make({})
      : readRequirements(reader, requirementsField)
  const constraintsField = fields.get("constraints")
  const constraints =
    constraintsField === undefined
      ? SpecConstraints.make({ preferredResources: [], excludedResources: [] })
      : readConstraints(reader, constraintsField)
  const metadataField = fields.get("metadata")
  const metadata = metadataField === undefined ? {} : readMetadata(reader, metadataField)
  const [first, ...rest] = sets.map((s) => s.values)
  if (name === undefined || project === undefined || template === undefined || first === undefined)
    return undefined
  return {
    format: "api",
    name,
    description: text("description") ?? "",
    project,
    requirements,
    constraints,
    metadata,
    storage: [],
    conda: [],
    pip: [],
    tasks: [
      {
        name: API_TASK_NAME,
        node: templateField?.key,
        path: "commandTemplate",
        script: template,
        template: true,
        handler: undefined,
        fixed: [],
        refs: [],
        dimensions: [new SetsDimension({ sets: [first, ...rest] })],
        foreach: [],
        dependsOn: [],
        outputs: {},
        environment: {},
        requirements,
        nodes: 1,
        vramGB: undefined,
        // The API has no retry fields: tasks get the default policy.
        retry: RetryPolicy.make({ backoff: Backoff.make({}) }),
      },
    ],
    declaredTasks: [API_TASK_NAME],
  }
}

interface ParameterSet {
  readonly values: Record<string, string>
  readonly node: DocNode
  readonly path: string
}

const readSets = (reader: DocumentReader, field: Field): Array<ParameterSet> => {
  const items = reader.sequence(field.value, field.path, 'a list of parameter sets {"values": {…}}')
  if (items === undefined) return []
  if (items.length === 0) {
    reader.report(
      reader.deref(field.value),
      field.path,
      "empty sweep: no parameter sets",
      "at least one parameter set",
    )
  }
  const sets: Array<ParameterSet> = []
  items.forEach((item, i) => {
    const path = childPath(field.path, i)
    const valuesField = reader.record(item, path, ["values"], ["values"])?.get("values")
    if (valuesField === undefined) return
    const values: Record<string, string> = {}
    for (const value of reader
      .mapping(valuesField.value, valuesField.path, "a mapping key → value")
      ?.values() ?? []) {
      if (!ENV_NAME.test(value.name)) {
        reader.report(value.key, value.path, `invalid parameter name "${value.name}"`, ENV_NAME_EXPECTED)
        continue
      }
      const v = reader.text(value.value, value.path, "a string, number or boolean")
      if (v !== undefined) values[value.name] = v
    }
    sets.push({ values, node: reader.deref(valuesField.value), path: valuesField.path })
  })
  return sets
}

/** Every placeholder must be bound by every set, or some task would run a half-rendered command. */
const checkPlaceholders = (
  reader: DocumentReader,
  template: string,
  field: Field,
  sets: ReadonlyArray<ParameterSet>,
): void => {
  for (const name of placeholders(template)) {
    const missing = sets.filter((s) => !(name in s.values))
    if (sets.length > 0 && missing.length === sets.length) {
      const bound = [...new Set(sets.flatMap((s) => Object.keys(s.values)))]
      reader.report(
        reader.deref(field.value),
        field.path,
        `placeholder "{${name}}" is not bound by any parameter set`,
        bound.length === 0 ? "placeholders bound by the parameter sets" : `one of ${bound.join(", ")}`,
      )
    } else {
      for (const set of missing) {
        reader.report(
          set.node,
          set.path,
          `missing value for placeholder "{${name}}" of the command template`,
          `a "${name}" key`,
        )
      }
    }
  }
}

const readRequirements = (reader: DocumentReader, field: Field): ResourceRequirements => {
  const keys = ["cpuCores", "memoryMB", "diskGB", "gpus", "walltime", "priority"]
  const fields = reader.record(field.value, field.path, keys)
  const out: {
    -readonly [K in keyof typeof ResourceRequirements.Type]?: (typeof ResourceRequirements.Type)[K]
  } = {}
  const int = (key: "cpuCores" | "memoryMB" | "diskGB" | "gpus" | "priority", min: number, max?: number) => {
    const f = fields?.get(key)
    const n = f === undefined ? undefined : reader.integer(f.value, f.path, min, max)
    if (n !== undefined) out[key] = n
  }
  int("cpuCores", 1)
  int("memoryMB", 1)
  int("diskGB", 0)
  int("gpus", 0)
  int("priority", 0, 10)
  const walltime = fields?.get("walltime")
  if (walltime !== undefined) {
    const expected = `${CLOCK_EXPECTED} or ${DURATION_EXPECTED}`
    const t = reader.text(walltime.value, walltime.path, expected)
    if (t !== undefined) {
      const clock = parseClock(t)
      const ms = clock === undefined ? parseDuration(t) : clock * 1000
      if (ms !== undefined && ms > 0) out.walltime = Walltime.make(formatClock(ms / 1000))
      else
        reader.report(
          reader.deref(walltime.value),
          walltime.path,
          `invalid walltime ${JSON.stringify(t)}`,
          expected,
        )
    }
  }
  return ResourceRequirements.make(out)
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/

const readConstraints = (reader: DocumentReader, field: Field): SpecConstraints => {
  const keys = ["maxCost", "deadline", "preferredResources", "excludedResources"]
  const fields = reader.record(field.value, field.path, keys)
  const maxCostField = fields?.get("maxCost")
  const maxCost =
    maxCostField === undefined ? undefined : reader.number(maxCostField.value, maxCostField.path, 0)
  const deadlineField = fields?.get("deadline")
  const expected = 'an ISO-8601 date-time, e.g. "2030-01-31T12:00:00Z"'
  let deadline =
    deadlineField === undefined ? undefined : reader.text(deadlineField.value, deadlineField.path, expected)
  if (deadline !== undefined && (!ISO_DATE.test(deadline) || Number.isNaN(Date.parse(deadline)))) {
    reader.report(
      reader.deref(deadlineField?.value),
      deadlineField?.path ?? field.path,
      `invalid deadline ${JSON.stringify(deadline)}`,
      expected,
    )
    deadline = undefined
  }
  const list = (key: string) => {
    const f = fields?.get(key)
    return f === undefined ? [] : (reader.textList(f.value, f.path, "a list of compute resource ids") ?? [])
  }
  const preferredResources = list("preferredResources")
  const excludedResources = list("excludedResources")
  const both = preferredResources.filter((id) => excludedResources.includes(id))
  if (both.length > 0) {
    const at = fields?.get("excludedResources")
    reader.report(
      reader.deref(at?.value),
      at?.path ?? field.path,
      `resources both preferred and excluded: ${both.join(", ")}`,
      "no resource in both lists",
    )
  }
  return SpecConstraints.make({
    ...(maxCost === undefined ? {} : { maxCost }),
    ...(deadline === undefined ? {} : { deadline }),
    preferredResources,
    excludedResources,
  })
}

const readMetadata = (reader: DocumentReader, field: Field): JsonObject => {
  const decoded = Schema.decodeUnknownEither(JsonObject)(reader.toJS(field.value))
  if (Either.isRight(decoded)) return decoded.right
  const found = describe(reader.deref(field.value))
  reader.report(
    reader.deref(field.value),
    field.path,
    `metadata must be a JSON object, found ${found}`,
    "a JSON object",
  )
  return {}
}
