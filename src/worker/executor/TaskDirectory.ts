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

/** What this process knows of one experiment's directory. */
interface ExperimentDirectory {
  readonly path: string
  /** Known to exist: this process created something in it, or saw it. */
  present: boolean
  /** Until when (epoch ms) it is taken to be still absent since it was last seen so. */
  absentUntil: number
}

/** By working directory and experiment id; cleared when it grows large, which only costs checks. */
const experimentDirectories = new Map<string, ExperimentDirectory>()
const MAX_EXPERIMENTS = 1024

const experimentDirectory = (workingDir: string, experimentId: string): ExperimentDirectory => {
  const key = `${workingDir}\0${experimentId}`
  let known = experimentDirectories.get(key)
  if (known === undefined) {
    if (experimentDirectories.size >= MAX_EXPERIMENTS) experimentDirectories.clear()
    known = { path: Path.resolve(workingDir, sanitizeSegment(experimentId)), present: false, absentUntil: 0 }
    // A relative root depends on the current directory: resolved anew each time.
    if (Path.isAbsolute(workingDir)) experimentDirectories.set(key, known)
  }
  return known
}

/** The absolute directory of one attempt. */
export const attemptDirectory = (workingDir: string, run: TaskRun): string => {
  const key = sanitizeSegment(run.key)
  const experiment = experimentDirectory(workingDir, run.experimentId).path
  // Segments without separators, never "." nor "..": joining is what Path.resolve would do.
  return key === ""
    ? Path.resolve(experiment, key, `attempt-${run.attempt}`)
    : `${experiment}${Path.sep}${key}${Path.sep}attempt-${run.attempt}`
}

/**
 * How long an experiment directory seen absent is taken to stay so. This process marks its own
 * creations at once; another process would have to create this very attempt's directory within
 * that time, while this worker holds the attempt's lease, to slip a leftover past the check.
 */
const ABSENT_FOR_MS = 1000

/**
 * Whether a leftover directory of an earlier run of the attempt may exist at `path`. An attempt
 * directory lies inside its experiment's, so while that one is absent no check per attempt is needed.
 */
const mayHaveLeftovers = (experiment: ExperimentDirectory, path: string): boolean => {
  if (!experiment.present) {
    const now = Date.now()
    if (experiment.absentUntil > now) return false
    if (!FsSync.existsSync(experiment.path)) {
      experiment.absentUntil = now + ABSENT_FOR_MS
      return false
    }
    experiment.present = true
  }
  return FsSync.existsSync(path)
}

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
  experimentDirectory(workingDir, run.experimentId).present = true
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
    const experiment = experimentDirectory(workingDir, run.experimentId)
    const path = attemptDirectory(workingDir, run)
    let created = false
    const ensure = () => {
      if (created) return path
      experiment.present = true
      try {
        FsSync.mkdirSync(path, { recursive: true })
      } catch (error) {
        throw new TaskWorkdirError({ path, reason: String(error) })
      }
      created = true
      return path
    }
    const directory: LazyDirectory = { path, ensure }
    // The rare leftover is removed asynchronously.
    return mayHaveLeftovers(experiment, path)
      ? Effect.as(removeTree(path), directory)
      : Effect.succeed(directory)
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
