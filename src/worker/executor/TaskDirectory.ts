/**
 * Each attempt runs in `<workingDir>/<experimentId>/<taskKey>/attempt-<n>`, with the id and key
 * made safe as single path segments, so attempts never see each other's files.
 */
import { hash } from "node:crypto"
import * as FsSync from "node:fs"
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
  // One-shot hashing: several times cheaper than a Hash object for a short key.
  return `${safe}-${hash("sha256", raw, "hex").slice(0, 8)}`
}

/** The absolute directory of one attempt. */
export const attemptDirectory = (workingDir: string, run: TaskRun): string =>
  Path.resolve(
    workingDir,
    sanitizeSegment(run.experimentId),
    sanitizeSegment(run.key),
    `attempt-${run.attempt}`,
  )

/** Removes `path` and everything below it, if it exists. */
const removeTree = (path: string): Effect.Effect<void, TaskWorkdirError> =>
  Effect.tryPromise({
    try: () => Fs.rm(path, { recursive: true, force: true }),
    catch: (error) => new TaskWorkdirError({ path, reason: String(error) }),
  })

/**
 * Creates the attempt directory empty. Leftovers of an earlier run of the same attempt (a worker
 * restarted mid-task) are removed so that they cannot pass for this run's outputs.
 */
export const prepareAttemptDirectory = (
  workingDir: string,
  run: TaskRun,
): Effect.Effect<string, TaskWorkdirError> => {
  const dir = attemptDirectory(workingDir, run)
  return removeTree(dir).pipe(
    Effect.zipRight(
      Effect.tryPromise({
        try: () => Fs.mkdir(dir, { recursive: true }),
        catch: (error) => new TaskWorkdirError({ path: dir, reason: String(error) }),
      }),
    ),
    Effect.as(dir),
  )
}

/** An attempt directory that is created only when something needs it. */
export interface LazyDirectory {
  /** The absolute directory, whether it exists yet or not. */
  readonly path: string
  /** Creates the directory (empty) unless done already; throws TaskWorkdirError when it cannot. */
  readonly ensure: () => string
}

/**
 * The attempt directory of an attempt that may never touch it (an in-process handler without
 * declared outputs): nothing is created until `ensure`. Leftovers of an earlier run are still
 * removed up front, as `prepareAttemptDirectory` would, so they cannot pass for this run's files.
 */
export const lazyAttemptDirectory = (
  workingDir: string,
  run: TaskRun,
): Effect.Effect<LazyDirectory, TaskWorkdirError> =>
  Effect.suspend(() => {
    const path = attemptDirectory(workingDir, run)
    let created = false
    const ensure = () => {
      if (created) return path
      try {
        FsSync.mkdirSync(path, { recursive: true })
      } catch (error) {
        throw new TaskWorkdirError({ path, reason: String(error) })
      }
      created = true
      return path
    }
    const directory: LazyDirectory = { path, ensure }
    // A synchronous existence check costs microseconds; the rare leftover is removed asynchronously.
    return FsSync.existsSync(path) ? Effect.as(removeTree(path), directory) : Effect.succeed(directory)
  })

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
