/**
 * An attempt's `stdout.log` and `stderr.log`. A script's are opened before it starts, so both
 * exist even when empty; an in-process handler's are opened when it first logs to that stream, so
 * a silent handler costs no file system work at all.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { Effect, type Scope } from "effect"
import { TaskWorkdirError } from "./ExecutorErrors.js"
import type { LazyDirectory } from "./TaskDirectory.js"
import type { OutputStreamName } from "./TaskEvent.js"

export interface LogFiles {
  /** Appends `data` to the stream's log; after a failed open or write that log stays truncated. */
  readonly append: (stream: OutputStreamName, data: Buffer | string) => void
  /** Closes the open logs; later appends are dropped. */
  readonly close: Effect.Effect<void>
}

const FILE_NAMES: Record<OutputStreamName, string> = { stdout: "stdout.log", stderr: "stderr.log" }

/** `undefined`: not opened yet; `null`: closed, or given up after an error. */
type Descriptor = number | undefined | null

const logPath = (dir: string, stream: OutputStreamName) => Path.join(dir, FILE_NAMES[stream])

/** Log files in the directory `dirOf()` returns (which may throw); `open` creates one now. */
const logFiles = (dirOf: () => string) => {
  const fds: Record<OutputStreamName, Descriptor> = { stdout: undefined, stderr: undefined }
  const open = (stream: OutputStreamName): number => {
    const fd = Fs.openSync(logPath(dirOf(), stream), "w")
    fds[stream] = fd
    return fd
  }
  const append = (stream: OutputStreamName, data: Buffer | string) => {
    const fd = fds[stream]
    if (fd === null) return
    try {
      const target = fd ?? open(stream)
      if (typeof data === "string") Fs.writeSync(target, data)
      else Fs.writeSync(target, data)
    } catch {
      // A full disk must not stop the attempt or lose the live stream; the log file stays truncated.
      const broken = fds[stream]
      fds[stream] = null
      if (typeof broken === "number") Fs.close(broken, () => {})
    }
  }
  const close = Effect.sync(() => {
    for (const stream of ["stdout", "stderr"] as const) {
      const fd = fds[stream]
      fds[stream] = null
      if (typeof fd === "number") Fs.closeSync(fd)
    }
  })
  return { files: { append, close } satisfies LogFiles, open }
}

/** Creates both log files in the existing directory `dir` now; they are closed with the scope. */
export const openLogFiles = (dir: string): Effect.Effect<LogFiles, TaskWorkdirError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => logFiles(() => dir)),
    (logs) => logs.files.close,
  ).pipe(
    Effect.flatMap((logs) =>
      Effect.forEach(["stdout", "stderr"] as const, (stream) =>
        Effect.try({
          try: () => logs.open(stream),
          catch: (error) => new TaskWorkdirError({ path: logPath(dir, stream), reason: String(error) }),
        }),
      ).pipe(Effect.as(logs.files)),
    ),
  )

/**
 * Log files created in `directory` (itself created if need be) on the first write to each; the
 * caller closes them. A failure to create one only leaves that log missing.
 */
export const lazyLogFiles = (directory: LazyDirectory): LogFiles => logFiles(directory.ensure).files
