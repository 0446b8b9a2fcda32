/**
 * The HandlerContext of one attempt. The working directory and the environment (which names it)
 * are produced on first read, creating the directory then, so that a handler that never asks for
 * them costs no file system work.
 */
import type { Effect } from "effect"
import { outputPath } from "./OutputFiles.js"
import type { LazyDirectory } from "./TaskDirectory.js"
import { taskEnvironment } from "./TaskEnvironment.js"
import type { OutputStreamName } from "./TaskEvent.js"
import type { HandlerContext } from "./TaskHandler.js"
import type { TaskRun } from "./TaskRun.js"

/** Absolute paths of the declared outputs; one declared outside the attempt directory gets none. */
const outputPaths = (dir: string, declared: Readonly<Record<string, string>>): Record<string, string> => {
  const paths: Record<string, string> = {}
  for (const [name, file] of Object.entries(declared)) {
    const path = outputPath(dir, file)
    if (path !== undefined) paths[name] = path
  }
  return paths
}

/**
 * A plain object, as before, so that spreading or serializing it still shows every field (reading
 * `workingDir` or `environment` that way creates the directory too).
 */
export const attemptContext = (
  run: TaskRun,
  directory: LazyDirectory,
  log: (line: string, stream?: OutputStreamName) => Effect.Effect<void>,
): HandlerContext => {
  let environment: Record<string, string> | undefined
  return {
    taskId: run.taskId,
    experimentId: run.experimentId,
    key: run.key,
    attempt: run.attempt,
    inputs: run.inputs,
    outputs: outputPaths(directory.path, run.outputs),
    /** Throws TaskWorkdirError (a defect of the handler) when the directory cannot be created. */
    get workingDir() {
      return directory.ensure()
    },
    get environment() {
      environment ??= taskEnvironment(run, directory.ensure())
      return environment
    },
    log,
  }
}
