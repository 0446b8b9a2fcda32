/**
 * The environment an attempt sees: a few variables inherited from the worker, then the task's
 * extra environment, inputs and outputs, then the AIRAVATA_* variables, later entries winning.
 * Nothing else of the worker's environment (tokens, credentials) leaks into user code.
 */
import type { TaskRun } from "./TaskRun.js"

/** Variables passed through from the worker's own environment when set. */
export const INHERITED_VARIABLES = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
] as const

const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"

/**
 * Builds the attempt's environment. Outputs are exported as their declared file names, which
 * resolve inside the attempt directory because that is the script's working directory.
 */
export const taskEnvironment = (
  run: TaskRun,
  workingDir: string,
  inherited: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> => {
  const env: Record<string, string> = { PATH: DEFAULT_PATH }
  for (const name of INHERITED_VARIABLES) {
    const value = inherited[name]
    if (value !== undefined) env[name] = value
  }
  Object.assign(env, run.environment, run.inputs, run.outputs)
  env.AIRAVATA_TASK_ID = run.taskId
  env.AIRAVATA_TASK_KEY = run.key
  env.AIRAVATA_EXPERIMENT_ID = run.experimentId
  env.AIRAVATA_ATTEMPT = String(run.attempt)
  env.AIRAVATA_WORKDIR = workingDir
  return env
}
