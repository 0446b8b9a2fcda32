/**
 * A child process started as the leader of its own process group, so that a signal reaches every
 * process the script started (`sleep 1000 &` included).
 *
 * Built on node:child_process rather than @effect/platform's CommandExecutor: that executor does
 * detach and signal the group, but it reports a signal death only as an error message, its scope
 * finalizer sends SIGTERM and then waits for exit with no SIGKILL escalation (a script that traps
 * TERM would hang the worker), and it leaves background children alive after exit code 0.
 */
import * as ChildProcess from "node:child_process"
import type { Readable } from "node:stream"
import { Deferred, type Duration, Effect, type Scope } from "effect"
import { TaskSpawnError } from "./ExecutorErrors.js"

/** How the group leader ended: exactly one of `code` and `signal` is non-null. */
export interface ProcessExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface ProcessGroup {
  readonly pid: number
  readonly stdout: Readable
  readonly stderr: Readable
  /** Waits for the group leader to exit. */
  readonly exit: Effect.Effect<ProcessExit>
  /** Sends a signal to every process of the group; a group that is already gone is not an error. */
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
  /**
   * SIGTERM to the group; if the leader has not exited after `grace` (measured by Effect's Clock),
   * SIGKILL to the group. Returns once the leader has exited, saying which step ended it.
   */
  readonly terminate: (grace: Duration.DurationInput) => Effect.Effect<Termination>
}

/** `exited`: it had already exited, no signal sent; `terminated`: SIGTERM sufficed; `killed`: SIGKILL was needed. */
export type Termination = "exited" | "terminated" | "killed"

interface Spawned {
  readonly pid: number
  readonly stdout: Readable
  readonly stderr: Readable
}

export interface SpawnOptions {
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  /** Grace period used when the scope closes while the process still runs. */
  readonly grace: Duration.DurationInput
}

/**
 * `raceFirst` that also works inside a finalizer: race losers inherit the caller's
 * uninterruptibility, so there the loser (a grace-period sleep) would run to its end.
 */
const raceMasked = <A, B>(left: Effect.Effect<A>, right: Effect.Effect<B>): Effect.Effect<A | B> =>
  Effect.raceFirst(Effect.interruptible(left), Effect.interruptible(right))

const signalGroup = (pid: number, signal: NodeJS.Signals) =>
  Effect.sync(() => {
    try {
      process.kill(-pid, signal)
    } catch {
      // ESRCH: every member already exited; EPERM cannot happen for our own children.
    }
  })

/**
 * Spawns `command args` detached with stdin from /dev/null and piped stdout/stderr. Closing the
 * scope terminates a still-running group (SIGTERM, grace, SIGKILL), kills leftover members and
 * destroys the pipes.
 */
export const spawnProcessGroup = (
  command: string,
  args: ReadonlyArray<string>,
  options: SpawnOptions,
): Effect.Effect<ProcessGroup, TaskSpawnError, Scope.Scope> =>
  Effect.gen(function* () {
    const exited = yield* Deferred.make<ProcessExit>()
    const exit = Deferred.await(exited)
    const terminate = (pid: number, grace: Duration.DurationInput) =>
      Effect.gen(function* () {
        if (yield* Deferred.isDone(exited)) return "exited" as const
        yield* signalGroup(pid, "SIGTERM")
        const graceOver = yield* raceMasked(Effect.as(exit, false), Effect.as(Effect.sleep(grace), true))
        if (!graceOver) return "terminated" as const
        yield* signalGroup(pid, "SIGKILL")
        yield* exit
        return "killed" as const
      })

    const spawn = Effect.async<Spawned, TaskSpawnError>((resume) => {
      const handle = ChildProcess.spawn(command, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      })
      handle.once("error", (error) =>
        resume(Effect.fail(new TaskSpawnError({ command, reason: error.message }))),
      )
      handle.once("exit", (code, signal) => Deferred.unsafeDone(exited, Effect.succeed({ code, signal })))
      handle.once("spawn", () =>
        resume(
          handle.pid === undefined
            ? Effect.fail(new TaskSpawnError({ command, reason: "no process id" }))
            : Effect.succeed({ pid: handle.pid, stdout: handle.stdout, stderr: handle.stderr }),
        ),
      )
    })

    // Acquisition is uninterruptible, so a started group is always paired with this release.
    const child = yield* Effect.acquireRelease(spawn, ({ pid, stdout, stderr }) =>
      Effect.gen(function* () {
        yield* terminate(pid, options.grace)
        yield* signalGroup(pid, "SIGKILL")
        // Pipes close once the last member of the group is gone: waiting for that means that when
        // the scope is closed no process of the attempt is left. A member that escaped the group
        // (setsid) is not waited for beyond the grace period.
        stdout.resume()
        stderr.resume()
        yield* raceMasked(
          Effect.all([awaitEnd(stdout), awaitEnd(stderr)], { concurrency: 2 }),
          Effect.sleep(options.grace),
        )
        stdout.destroy()
        stderr.destroy()
      }),
    )
    return {
      ...child,
      exit,
      signal: (signal: NodeJS.Signals) => signalGroup(child.pid, signal),
      terminate: (grace: Duration.DurationInput) => terminate(child.pid, grace),
    }
  })

/** Waits until a readable has delivered all its data (or was destroyed). */
export const awaitEnd = (readable: Readable): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (readable.readableEnded || readable.destroyed) return resume(Effect.void)
    const done = () => resume(Effect.void)
    readable.once("end", done)
    readable.once("close", done)
    return Effect.sync(() => {
      readable.off("end", done)
      readable.off("close", done)
    })
  })
