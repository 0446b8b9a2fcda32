/** An experiment as read from either format, before graph resolution. */
import type { ResourceRequirements } from "../Requirements.js"
import type { DraftTask } from "./DraftTask.js"
import type { ExperimentSpec } from "./ExperimentSpec.js"

export interface DraftExperiment
  extends Pick<
    ExperimentSpec,
    "format" | "name" | "description" | "project" | "constraints" | "metadata" | "storage" | "conda" | "pip"
  > {
  readonly requirements: ResourceRequirements
  readonly tasks: ReadonlyArray<DraftTask>
  /** Every task name the document declares, including tasks too broken to read. */
  readonly declaredTasks: ReadonlyArray<string>
}

/** `sweep` for `path/to/sweep.yaml`: the default experiment name. */
export const baseName = (file: string): string => {
  const last = file.split(/[\\/]/).pop() ?? file
  const dot = last.lastIndexOf(".")
  return dot > 0 ? last.slice(0, dot) : last
}
