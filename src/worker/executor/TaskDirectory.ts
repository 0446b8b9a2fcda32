/**
 * Each attempt runs in `<workingDir>/<experimentId>/<taskKey>/attempt-<n>`, with the id and key
 * made safe as single path segments, so attempts never see each other's files.
 */
import { createHash } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Effect } from "effect"
import { TaskWorkdirError } from "./ExecutorErrors.js"
import type { TaskRun } from "./TaskRun.js"

const MAX_SEGMENT = 100

/**
 * A file-name-safe form of `raw`. When characters had to be replaced (`task[3]` → `task_3_`), a
 * short hash of the original is appended so that two distinct keys never share a directory.
 */
export const sanitizeSegment = (raw: string): string => {
  const safe = raw.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, MAX_SEGMENT)
  if (safe === raw && safe !== "." && safe !== "..") return safe
  const hash = createHash("sha256").update(raw).digest("hex").slice(0, 8)
  return `${safe}-${hash}`
}

/** The absolute directory of one attempt. */
export const attemptDirectory = (workingDir: string, run: TaskRun): string =>
  Path.resolve(
    workingDir,
    sanitizeSegment(run.experimentId),
    sanitizeSegment(run.key),
    `attempt-${run.attempt}`,
  )

/**
 * Creates the attempt directory empty. Leftovers of an earlier run of the same attempt (a worker
 * restarted mid-task) are removed so that they cannot pass for this run's outputs.
 */
export const prepareAttemptDirectory = (
  workingDir: string,
  run: TaskRun,
): Effect.Effect<string, TaskWorkdirError> => {
  const dir = attemptDirectory(workingDir, run)
  return Effect.tryPromise({
    try: async () => {
      await Fs.rm(dir, { recursive: true, force: true })
      await Fs.mkdir(dir, { recursive: true })
      return dir
    },
    catch: (error) => new TaskWorkdirError({ path: dir, reason: String(error) }),
  })
}

/** Writes `content` to `dir/name`. */
export const writeTaskFile = (
  dir: string,
  name: string,
  content: string,
): Effect.Effect<string, TaskWorkdirError> => {
  const path = Path.join(dir, name)
  return Effect.tryPromise({
    try: () => Fs.writeFile(path, content, { mode: 0o700 }),
    catch: (error) => new TaskWorkdirError({ path, reason: String(error) }),
  }).pipe(Effect.as(path))
}
