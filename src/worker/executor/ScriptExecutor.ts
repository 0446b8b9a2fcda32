/**
 * Runs one attempt as a bash script: the script text is written to `task.sh` in the attempt
 * directory and run as `bash task.sh` (as the reference worker does: no `-e`/`pipefail` imposed,
 * a script opts in itself), with the attempt directory as working directory and the environment of
 * TaskEnvironment. The script leads its own process group; when it exits, is stopped or the
 * stream's consumer goes away, every process left in the group is killed.
 */
import { Clock, Duration, Effect, Exit, type Scope } from "effect"
import { type AttemptControl, raceStop, type StopReason, stopMessage } from "./AttemptControl.js"
import type { TaskSpawnError, TaskWorkdirError } from "./ExecutorErrors.js"
import { openLogFiles } from "./LogFiles.js"
import { type AttemptEvents, makeOutputCollector } from "./OutputCollector.js"
import { resolveOutputs } from "./OutputFiles.js"
import {
  awaitEnd,
  type ProcessExit,
  type ProcessGroup,
  spawnProcessGroup,
  type Termination,
} from "./ProcessGroup.js"
import { writeTaskFile } from "./TaskDirectory.js"
import { taskEnvironment } from "./TaskEnvironment.js"
import { makeTaskResult, makeTaskStarted } from "./TaskEvent.js"
import type { TaskRun } from "./TaskRun.js"

/** File name of the script inside the attempt directory. */
export const SCRIPT_FILE = "task.sh"

/**
 * How long the pipes may stay silent after the group was killed before they are closed anyway:
 * only a process that left the group (setsid) can still hold them open.
 */
const PIPE_IDLE_LIMIT = Duration.seconds(5)

const describeExit = (exit: ProcessExit): string =>
  exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? "unknown"}`

const describeStop = (reason: StopReason, termination: Termination, control: AttemptControl): string =>
  termination === "killed"
    ? `${stopMessage(reason, control)}; killed with SIGKILL after a ${Duration.format(control.grace)} grace period`
    : `${stopMessage(reason, control)}; stopped by SIGTERM`

/** Waits for both pipes to end, unless they stay silent (and not paused by back-pressure) too long. */
const drainPipes = (proc: ProcessGroup, activity: { count: number }) => {
  const ended = Effect.all([awaitEnd(proc.stdout), awaitEnd(proc.stderr)], { concurrency: 2 })
  const loop: Effect.Effect<void> = Effect.suspend(() => {
    const seen = activity.count
    return Effect.raceFirst(Effect.as(ended, true), Effect.as(Effect.sleep(PIPE_IDLE_LIMIT), false)).pipe(
      Effect.flatMap((done) => {
        if (done) return Effect.void
        const stalled = activity.count === seen && !proc.stdout.isPaused() && !proc.stderr.isPaused()
        if (!stalled) return loop
        proc.stdout.destroy()
        proc.stderr.destroy()
        return Effect.void
      }),
    )
  })
  return loop
}

/** Starts `script` for `run` in the prepared directory `dir`; see the module comment. */
export const startScript = (
  run: TaskRun,
  script: string,
  dir: string,
  control: AttemptControl,
): Effect.Effect<AttemptEvents, TaskWorkdirError | TaskSpawnError, Scope.Scope> =>
  Effect.gen(function* () {
    const file = yield* writeTaskFile(dir, SCRIPT_FILE, script)
    const output = makeOutputCollector(yield* openLogFiles(dir))
    const startedAt = yield* Clock.currentTimeMillis
    const proc = yield* spawnProcessGroup("bash", [file], {
      cwd: dir,
      env: taskEnvironment(run, dir),
      grace: control.grace,
    })
    output.started(makeTaskStarted({ kind: "script", workingDir: dir, pid: proc.pid }))
    const activity = { count: 0 }
    proc.stdout.on("data", (data: Buffer) => {
      activity.count++
      output.write("stdout", data, proc.stdout)
    })
    proc.stderr.on("data", (data: Buffer) => {
      activity.count++
      output.write("stderr", data, proc.stderr)
    })

    const supervise = Effect.gen(function* () {
      const raced = yield* raceStop(proc.exit, control)
      const termination = raced._tag === "Stopped" ? yield* proc.terminate(control.grace) : "exited"
      const exit = yield* proc.exit
      // The leader is gone; background children it left behind must not outlive the attempt.
      yield* proc.signal("SIGKILL")
      yield* drainPipes(proc, activity)
      output.endStream("stdout")
      output.endStream("stderr")
      const { outputs, missing } = yield* resolveOutputs(dir, run.outputs)
      const finishedAt = yield* Clock.currentTimeMillis
      const stopped = raced._tag === "Stopped" && termination !== "exited" ? raced.reason : undefined
      output.finish(
        makeTaskResult({
          outcome: stopped ?? (exit.code === 0 ? "succeeded" : "failed"),
          exitCode: exit.code,
          signal: exit.signal,
          durationMs: finishedAt - startedAt,
          message: stopped === undefined ? describeExit(exit) : describeStop(stopped, termination, control),
          workingDir: dir,
          outputs,
          missingOutputs: missing,
          metadata: {},
        }),
      )
    })
    yield* supervise.pipe(
      Effect.onExit((exit) => (Exit.isFailure(exit) ? output.failCause(exit.cause) : Effect.void)),
      Effect.forkScoped,
    )
    return output
  })
