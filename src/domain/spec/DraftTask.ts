/** A task as read from either format, before its names are resolved against the task graph. */
import type { ResourceRequirements } from "../Requirements.js"
import type { RetryPolicy } from "../RetryPolicy.js"
import type { DocNode } from "./DocumentReader.js"
import type { Dimension } from "./ExperimentSpec.js"
import type { DraftRef } from "./TaskInputs.js"

/** A task name used in `foreach` or `depends_on`, located for "unknown task" and cycle reports. */
export interface NameUse {
  readonly name: string
  readonly node: DocNode
  readonly path: string
}

export interface DraftTask {
  readonly name: string
  /** The node that names the task, where task-level problems are reported. */
  readonly node: DocNode
  readonly path: string
  readonly script: string
  readonly template: boolean
  readonly handler: string | undefined
  readonly fixed: ReadonlyArray<readonly [string, string]>
  readonly refs: ReadonlyArray<DraftRef>
  readonly dimensions: ReadonlyArray<Dimension>
  readonly foreach: ReadonlyArray<NameUse>
  readonly dependsOn: ReadonlyArray<NameUse>
  readonly outputs: Readonly<Record<string, string>>
  readonly environment: Readonly<Record<string, string>>
  readonly requirements: ResourceRequirements
  readonly nodes: number
  readonly vramGB: number | undefined
  readonly retry: RetryPolicy
}
