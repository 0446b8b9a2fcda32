/** An experiment as read from either format, before graph resolution. */
import { Schema } from "effect"
import { EXPERIMENT_NAME_EXPECTED, ExperimentName, quoteName } from "../Experiment.js"
import { isIdText } from "../Ids.js"
import type { ResourceRequirements } from "../Requirements.js"
import type { DocNode, DocumentReader } from "./DocumentReader.js"
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

const isExperimentName = Schema.is(ExperimentName)

/**
 * Reports `name` at `at` when no experiment may have it: caught here, with its location, rather
 * than when the experiment is submitted.
 */
export const checkExperimentName = (reader: DocumentReader, at: DocNode, name: string): void => {
  if (!isExperimentName(name))
    reader.report(at, "name", `invalid experiment name ${quoteName(name)}`, EXPERIMENT_NAME_EXPECTED)
}

/**
 * Reports a project name that cannot be a project's id (the local directory makes the named
 * project, whose id is its name), at `at` and `path` (`project`, or `projectId` in the API format).
 */
export const checkProjectName = (
  reader: DocumentReader,
  at: DocNode,
  path: string,
  project: string,
): void => {
  if (!isIdText(project))
    reader.report(
      at,
      path,
      `invalid project name ${quoteName(project)}`,
      "a project name of 1 to 255 characters without leading or trailing whitespace",
    )
}
