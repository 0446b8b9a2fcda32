/**
 * One local pilot process: a detached child (leader of its own process group, so that a signal
 * reaches everything it started in that group) whose stdout and stderr are appended straight to a
 * log file — the output keeps flowing even while the scheduler is busy, and survives it.
 *
 * Built on node:child_process rather than @effect/platform's CommandExecutor, whose finalizer
 * waits for exit after SIGTERM without escalating to SIGKILL, and which cannot hand the child a
 * file descriptor for its output.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { Deferred, Duration, Effect, Option, Ref } from "effect"
import type { ComputeResourceId, WorkerId } from "../../../domain/Ids.js"
import { PilotStatus } from "../../../ports/Compute.js"
import { ComputeSubmitFailed } from "../../../ports/ComputeErrors.js"

/** How the process ended: exactly one of `code` and `signal` is non-null. */
export interface PilotExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface PilotProcess {
  readonly pid: number
  readonly logFile: string
  /** Waits for the process to exit. */
  readonly exit: Effect.Effect<PilotExit>
  /** Whether it has exited; readable synchronously with Effect.runSync (process exit hook). */
  readonly hasExited: Effect.Effect<boolean>
  /** RUNNING, or how it ended. */
  readonly status: Effect.Effect<PilotStatus>
  /** Sends a signal to the whole group; a group that is already gone is not an error. */
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
  /**
   * SIGTERM to the group, SIGKILL once `grace` (Effect's Clock) has passed, then waits for the
   * exit. `why` ends up in the CANCELLED status. A process that has already exited is left alone.
   */
  readonly stop: (grace: Duration.Duration, why: string) => Effect.Effect<PilotStatus>
}

export interface SpawnPilotOptions {
  readonly resourceId: ComputeResourceId
  readonly workerId: WorkerId
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  readonly logFile: string
}

const signalGroup = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: no member of the group is left.
  }
}

const describeExit = (exit: PilotExit): string =>
  exit.signal === null ? `exited with code ${exit.code}` : `killed by ${exit.signal}`

const statusOf = (exit: Option.Option<PilotExit>, stopped: Option.Option<string>): PilotStatus => {
  if (Option.isNone(exit)) return new PilotStatus({ state: "RUNNING" })
  const { code, signal } = exit.value
  const ending = {
    ...(code === null ? {} : { exitCode: code }),
    ...(signal === null ? {} : { signal }),
  }
  if (Option.isSome(stopped))
    return new PilotStatus({
      state: "CANCELLED",
      ...ending,
      reason: `${stopped.value}; ${describeExit(exit.value)}`,
    })
  const state = code === 0 ? "COMPLETED" : "FAILED"
  return new PilotStatus({ state, ...ending, reason: describeExit(exit.value) })
}

const prepare = (options: SpawnPilotOptions) =>
  Effect.try({
    try: () => {
      Fs.mkdirSync(options.cwd, { recursive: true })
      Fs.mkdirSync(Path.dirname(options.logFile), { recursive: true })
      return Fs.openSync(options.logFile, "a")
    },
    catch: (error) => submitFailed(options, `cannot prepare ${options.cwd}: ${messageOf(error)}`),
  })

const submitFailed = (options: SpawnPilotOptions, reason: string) =>
  new ComputeSubmitFailed({ resourceId: options.resourceId, workerId: options.workerId, reason })

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Starts the pilot. The returned process is not tied to a scope: its owner (the local provider)
 * stops it when its own scope closes.
 */
export const spawnPilot = (options: SpawnPilotOptions): Effect.Effect<PilotProcess, ComputeSubmitFailed> =>
  Effect.gen(function* () {
    const exited = yield* Deferred.make<PilotExit>()
    const stopped = yield* Ref.make(Option.none<string>())
    const child = yield* Effect.acquireUseRelease(
      prepare(options),
      (fd) =>
        Effect.async<ChildProcess.ChildProcess, ComputeSubmitFailed>((resume) => {
          const handle = ChildProcess.spawn(options.command, options.args, {
            cwd: options.cwd,
            env: options.env,
            stdio: ["ignore", fd, fd],
            detached: true,
          })
          let started = false
          handle.on("error", (error) => {
            // After "spawn", errors come only from child.kill/send, which are not used.
            if (!started)
              resume(Effect.fail(submitFailed(options, `cannot run ${options.command}: ${error.message}`)))
          })
          handle.once("spawn", () => {
            started = true
            resume(Effect.succeed(handle))
          })
          handle.once("exit", (code, signal) => {
            // Whatever the leader left behind in its group goes with it.
            if (handle.pid !== undefined) signalGroup(handle.pid, "SIGKILL")
            Deferred.unsafeDone(exited, Effect.succeed({ code, signal }))
          })
        }),
      // The child holds its own copy of the descriptor.
      (fd) => Effect.sync(() => Fs.closeSync(fd)),
    )
    const pid = child.pid
    if (pid === undefined) return yield* submitFailed(options, "the process has no id")

    const exit = Deferred.await(exited)
    const status = Effect.gen(function* () {
      const ended = (yield* Deferred.isDone(exited)) ? Option.some(yield* exit) : Option.none()
      return statusOf(ended, yield* Ref.get(stopped))
    })
    const signal = (sig: NodeJS.Signals) => Effect.sync(() => signalGroup(pid, sig))
    const stop = (grace: Duration.Duration, why: string) =>
      Effect.gen(function* () {
        if (!(yield* Deferred.isDone(exited))) {
          yield* Ref.update(
            stopped,
            Option.orElse(() => Option.some(why)),
          )
          yield* signal("SIGTERM")
          // Interruptible even inside a scope finalizer (an uninterruptible region), or the
          // timeout could not abandon the wait and SIGKILL would never come.
          const inTime = yield* Effect.timeoutTo(Effect.interruptible(exit), {
            duration: grace,
            onSuccess: () => true,
            onTimeout: () => false,
          })
          if (!inTime) {
            yield* Ref.update(
              stopped,
              Option.map((first) => `${first}; SIGKILL after ${Duration.format(grace)}`),
            )
            yield* signal("SIGKILL")
            yield* exit
          }
        }
        return yield* status
      })
    return {
      pid,
      logFile: options.logFile,
      exit,
      hasExited: Deferred.isDone(exited),
      status,
      signal,
      stop,
    } satisfies PilotProcess
  })
