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
  append(stream: OutputStreamName, data: Buffer | string): void
  /** Closes the open logs; later appends are dropped. */
  readonly close: Effect.Effect<void>
}

const FILE_NAMES: Record<OutputStreamName, string> = { stdout: "stdout.log", stderr: "stderr.log" }

/** `undefined`: not opened yet; `null`: closed, or given up after an error. */
type Descriptor = number | undefined | null

const logPath = (dir: string, stream: OutputStreamName) => Path.join(dir, FILE_NAMES[stream])

/**
 * Log files in the directory `dirOf()` returns (which may throw); `open` creates one now. A class:
 * every handler attempt makes one, most never write to it.
 */
class Logs implements LogFiles {
  private readonly fds: Record<OutputStreamName, Descriptor> = { stdout: undefined, stderr: undefined }

  constructor(private readonly dirOf: () => string) {}

  open(stream: OutputStreamName): number {
    const fd = Fs.openSync(logPath(this.dirOf(), stream), "w")
    this.fds[stream] = fd
    return fd
  }

  append(stream: OutputStreamName, data: Buffer | string) {
    const fd = this.fds[stream]
    if (fd === null) return
    try {
      const target = fd ?? this.open(stream)
      if (typeof data === "string") Fs.writeSync(target, data)
      else Fs.writeSync(target, data)
    } catch {
      // A full disk must not stop the attempt or lose the live stream; the log file stays truncated.
      const broken = this.fds[stream]
      this.fds[stream] = null
      if (typeof broken === "number") Fs.close(broken, () => {})
    }
  }

  get close(): Effect.Effect<void> {
    return Effect.sync(() => {
      for (const stream of ["stdout", "stderr"] as const) {
        const fd = this.fds[stream]
        this.fds[stream] = null
        if (typeof fd === "number") Fs.closeSync(fd)
      }
    })
  }
}

/** Creates both log files in the existing directory `dir` now; they are closed with the scope. */
export const openLogFiles = (dir: string): Effect.Effect<LogFiles, TaskWorkdirError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => new Logs(() => dir)),
    (logs) => logs.close,
  ).pipe(
    Effect.flatMap((logs) =>
      Effect.forEach(["stdout", "stderr"] as const, (stream) =>
        Effect.try({
          try: () => logs.open(stream),
          catch: (error) => new TaskWorkdirError({ path: logPath(dir, stream), reason: String(error) }),
        }),
      ).pipe(Effect.as(logs)),
    ),
  )

/**
 * Log files created in `directory` (itself created if need be) on the first write to each; the
 * caller closes them. A failure to create one only leaves that log missing.
 */
export const lazyLogFiles = (directory: LazyDirectory): LogFiles => new Logs(directory.ensure)
