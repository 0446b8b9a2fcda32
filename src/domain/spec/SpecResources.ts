/**
 * The YAML format's `resources` block (experiment-wide, or per task as an override): compute
 * requirements, storage mounts, conda/pip packages and environment entries.
 */
import { ResourceRequirements, Walltime } from "../Requirements.js"
import { type DocNode, type DocumentReader, describe } from "./DocumentReader.js"
import { CLOCK_EXPECTED, parseClock } from "./Durations.js"
import { StorageMount } from "./ExperimentSpec.js"
import { ENV_NAME, ENV_NAME_EXPECTED } from "./Names.js"

/** Compute fields as written; absent ones fall back to the experiment's, then to the defaults. */
export interface ComputeDraft {
  cpuCores?: number
  memoryMB?: number
  diskGB?: number
  gpus?: number
  walltime?: Walltime
  priority?: number
  nodes?: number
  vramGB?: number
}

export interface ResourcesDraft {
  readonly compute: ComputeDraft
  readonly environment: Record<string, string>
  readonly storage: Array<StorageMount>
  readonly conda: Array<string>
  readonly pip: Array<string>
}

const EXPERIMENT_KEYS = ["compute", "storage", "conda", "pip", "environment"]
const TASK_KEYS = ["compute", "environment"]
const COMPUTE_KEYS = ["node", "cpu", "gpu", "disk_gb", "ram_gb", "vram_gb", "time"]

/** Reads `resources`; per task only `compute` and `environment` may be overridden. */
export const readResources = (
  reader: DocumentReader,
  node: DocNode,
  path: string,
  scope: "experiment" | "task",
): ResourcesDraft => {
  const draft: ResourcesDraft = { compute: {}, environment: {}, storage: [], conda: [], pip: [] }
  const fields = reader.record(node, path, scope === "experiment" ? EXPERIMENT_KEYS : TASK_KEYS)
  if (fields === undefined) return draft
  const compute = fields.get("compute")
  if (compute !== undefined) Object.assign(draft.compute, readCompute(reader, compute.value, compute.path))
  const environment = fields.get("environment")
  if (environment !== undefined) {
    Object.assign(draft.environment, readEnvironment(reader, environment.value, environment.path))
  }
  const storage = fields.get("storage")
  if (storage !== undefined) draft.storage.push(...readStorage(reader, storage.value, storage.path))
  for (const key of ["conda", "pip"] as const) {
    const field = fields.get(key)
    if (field !== undefined)
      draft[key].push(...(reader.textList(field.value, field.path, "a list of package specs") ?? []))
  }
  return draft
}

const STORAGE_EXPECTED = '"<storage>:<remote path>:<local path>"'

const readStorage = (reader: DocumentReader, node: DocNode, path: string): Array<StorageMount> => {
  const mounts: Array<StorageMount> = []
  const items = reader.sequence(node, path, `a list of ${STORAGE_EXPECTED}`) ?? []
  items.forEach((item, i) => {
    const itemPath = `${path}[${i}]`
    const text = reader.text(item, itemPath, STORAGE_EXPECTED)
    const mount = text === undefined ? undefined : parseMount(text)
    if (mount !== undefined) mounts.push(mount)
    else if (text !== undefined)
      reader.report(item, itemPath, `invalid storage entry ${JSON.stringify(text)}`, STORAGE_EXPECTED)
  })
  return mounts
}

const parseMount = (entry: string): StorageMount | undefined => {
  const first = entry.indexOf(":")
  const last = entry.lastIndexOf(":")
  if (first <= 0 || last === first || last === entry.length - 1 || last - first < 2) return undefined
  return new StorageMount({
    storage: entry.slice(0, first),
    remote: entry.slice(first + 1, last),
    local: entry.slice(last + 1),
  })
}

const readCompute = (reader: DocumentReader, node: DocNode, path: string): ComputeDraft => {
  const out: ComputeDraft = {}
  const fields = reader.record(node, path, COMPUTE_KEYS)
  if (fields === undefined) return out
  const int = (key: string, min: number): number | undefined => {
    const field = fields.get(key)
    return field === undefined ? undefined : reader.integer(field.value, field.path, min)
  }
  const set = <K extends keyof ComputeDraft>(key: K, value: ComputeDraft[K] | undefined) => {
    if (value !== undefined) out[key] = value
  }
  set("nodes", int("node", 1))
  set("cpuCores", int("cpu", 1))
  set("gpus", int("gpu", 0))
  set("diskGB", int("disk_gb", 0))
  const ram = fields.get("ram_gb")
  if (ram !== undefined) {
    const gb = reader.number(ram.value, ram.path, Number.MIN_VALUE, Number.POSITIVE_INFINITY, "a number > 0")
    if (gb !== undefined) out.memoryMB = Math.max(1, Math.round(gb * 1024))
  }
  const vram = fields.get("vram_gb")
  if (vram !== undefined) set("vramGB", reader.number(vram.value, vram.path, 0))
  const time = fields.get("time")
  if (time !== undefined) set("walltime", readWalltime(reader, time.value, time.path))
  return out
}

/** A walltime "H:MM:SS". */
export const readWalltime = (reader: DocumentReader, node: DocNode, path: string): Walltime | undefined => {
  const text = reader.text(node, path, CLOCK_EXPECTED)
  if (text === undefined) return undefined
  if (parseClock(text) === undefined) {
    reader.report(
      reader.deref(node),
      path,
      `invalid walltime ${describe(reader.deref(node))}`,
      CLOCK_EXPECTED,
    )
    return undefined
  }
  return Walltime.make(text)
}

/** `environment: ["KEY=VALUE", …]`: variables added to every task's environment. */
export const readEnvironment = (
  reader: DocumentReader,
  node: DocNode,
  path: string,
): Record<string, string> => {
  const env: Record<string, string> = {}
  const items = reader.sequence(node, path, 'a list of "KEY=VALUE" entries') ?? []
  items.forEach((item, i) => {
    const itemPath = `${path}[${i}]`
    const text = reader.text(item, itemPath, '"KEY=VALUE"')
    if (text === undefined) return
    const eq = text.indexOf("=")
    const key = eq < 0 ? text : text.slice(0, eq)
    if (eq < 0 || !ENV_NAME.test(key)) {
      reader.report(
        item,
        itemPath,
        `invalid environment entry ${JSON.stringify(text)}`,
        `"KEY=VALUE" with KEY ${ENV_NAME_EXPECTED}`,
      )
    } else if (key in env) {
      reader.report(item, itemPath, `environment variable "${key}" is set twice`, "each variable set once")
    } else env[key] = text.slice(eq + 1)
  })
  return env
}

/** The domain requirements of compute fields; absent fields take ResourceRequirements' defaults. */
export const toRequirements = (compute: ComputeDraft): ResourceRequirements => {
  const { nodes: _nodes, vramGB: _vram, ...requirements } = compute
  return ResourceRequirements.make(requirements)
}
