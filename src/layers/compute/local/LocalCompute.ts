/**
 * The local compute provider: pilots are child processes of this process, one process group each,
 * logging to `<workingDir>/pilots/<workerId>.log`. When the layer's scope closes (the scheduler
 * stops) every pilot still running gets SIGTERM, a grace period to drain, then SIGKILL, so none
 * outlives the scheduler. A process exit hook also SIGKILLs them if Node exits without closing
 * the scope.
 */
import * as Path from "node:path"
import { Duration, Effect, Layer, Option, Redacted, Schema, type Scope, SynchronizedRef } from "effect"
import { ComputeResourceId } from "../../../domain/Ids.js"
import {
  type CancelOptions,
  Compute,
  type ComputeService,
  PilotHandle,
  PilotInfo,
  type PilotSpec,
  WORKER_TOKEN_ENV,
} from "../../../ports/Compute.js"
import {
  ComputeCancelFailed,
  ComputeSubmitFailed,
  ComputeUnavailable,
  PilotNotFound,
} from "../../../ports/ComputeErrors.js"
import { defaultPilotCommand, type PilotCommand } from "./PilotCommand.js"
import { type PilotProcess, spawnPilot } from "./PilotProcess.js"

export interface LocalComputeOptions {
  /** The compute resource this provider stands for; default "local". */
  readonly resourceId?: string
  /**
   * Executable and leading arguments; the worker flags are appended. Default
   * `[process.execPath, <package root>/bin/airavata.mjs, "worker"]`.
   */
  readonly command?: PilotCommand
  /** Drain time after SIGTERM, for `cancel` without `graceMs` and when the scope closes; default 30s. */
  readonly grace?: Duration.DurationInput
  /** Whether pilots inherit this process's environment (PATH, HOME…); default true. */
  readonly inheritEnv?: boolean
}

/** Where a local pilot's stdout and stderr go. */
export const pilotLogFile = (workingDir: string, workerId: string): string =>
  Path.join(workingDir, "pilots", `${workerId}.log`)

interface Entry {
  readonly handle: PilotHandle
  readonly process: PilotProcess
}

interface State {
  readonly closed: boolean
  /** By job id (the pid). A pid is reused only after its process has exited and been reaped. */
  readonly pilots: ReadonlyMap<string, Entry>
}

const inheritedEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value
  return env
}

/** Builds the provider; its scope is the pilots' lifetime. */
export const make = (
  options: LocalComputeOptions = {},
): Effect.Effect<ComputeService, ComputeUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const resourceId = yield* Schema.decode(ComputeResourceId)(options.resourceId ?? "local").pipe(
      Effect.orDie,
    )
    const command =
      options.command ??
      (yield* Effect.flatMap(defaultPilotCommand, (found) =>
        Option.match(found, {
          onSome: Effect.succeed,
          onNone: () =>
            new ComputeUnavailable({
              resourceId,
              reason: "cannot locate the airavata-scheduler package for bin/airavata.mjs; pass `command`",
            }),
        }),
      ))
    const [executable, ...leading] = command
    const grace = Duration.decode(options.grace ?? "30 seconds")
    const baseEnv = options.inheritEnv === false ? {} : inheritedEnv()
    const state = yield* SynchronizedRef.make<State>({ closed: false, pilots: new Map() })
    const scope = yield* Effect.scope

    // An exit nobody asked for is what the runtime must react to: say so in the log as it happens.
    const watch = (entry: Entry) =>
      Effect.zipRight(entry.process.exit, entry.process.status).pipe(
        Effect.flatMap((ended) =>
          ended.state === "FAILED"
            ? Effect.logWarning(`local pilot ${entry.handle.workerId} failed: ${ended.reason}`)
            : Effect.logInfo(`local pilot ${entry.handle.workerId} ended ${ended.state}: ${ended.reason}`),
        ),
        Effect.forkIn(scope),
      )

    const running = Effect.flatMap(SynchronizedRef.get(state), (s) =>
      Effect.filter([...s.pilots.values()], (entry) => Effect.map(entry.process.hasExited, (done) => !done)),
    )

    // Safety net for an exit that skips finalizers (process.exit, uncaught exception): SIGKILL now.
    const onProcessExit = () =>
      Effect.runSync(
        Effect.flatMap(running, (entries) =>
          Effect.forEach(entries, (entry) => entry.process.signal("SIGKILL"), { discard: true }),
        ),
      )
    yield* Effect.acquireRelease(
      Effect.sync(() => process.once("exit", onProcessExit)),
      () => Effect.sync(() => process.off("exit", onProcessExit)),
    )
    yield* Effect.addFinalizer(() =>
      SynchronizedRef.update(state, (s) => ({ ...s, closed: true })).pipe(
        Effect.zipRight(running),
        Effect.tap((entries) =>
          entries.length === 0 ? Effect.void : Effect.logInfo(`stopping ${entries.length} local pilot(s)`),
        ),
        Effect.flatMap((entries) =>
          Effect.forEach(entries, (entry) => entry.process.stop(grace, "scheduler stopped"), {
            concurrency: "unbounded",
            discard: true,
          }),
        ),
      ),
    )

    const lookup = (handle: PilotHandle) =>
      Effect.flatMap(SynchronizedRef.get(state), (s) => {
        const entry = s.pilots.get(handle.jobId)
        return entry !== undefined &&
          handle.resourceType === "LOCAL" &&
          handle.resourceId === resourceId &&
          entry.handle.workerId === handle.workerId
          ? Effect.succeed(entry)
          : new PilotNotFound({ resourceId, workerId: handle.workerId, jobId: handle.jobId })
      })

    const submitPilot = (spec: PilotSpec) =>
      SynchronizedRef.modifyEffect(state, (s) =>
        Effect.gen(function* () {
          const fail = (reason: string) =>
            new ComputeSubmitFailed({ resourceId, workerId: spec.workerId, reason })
          if (s.closed) return yield* fail("the local compute provider has shut down")
          for (const entry of s.pilots.values())
            if (entry.handle.workerId === spec.workerId && !(yield* entry.process.hasExited))
              return yield* fail(`a pilot for this worker is still running (pid ${entry.handle.jobId})`)
          const pilot = yield* spawnPilot({
            resourceId,
            workerId: spec.workerId,
            command: executable,
            args: [...leading, ...spec.workerArgs],
            cwd: spec.workingDir,
            // The token goes last so that neither the inherited nor the extra environment replaces it.
            env: { ...baseEnv, ...spec.env, [WORKER_TOKEN_ENV]: Redacted.value(spec.token) },
            logFile: pilotLogFile(spec.workingDir, spec.workerId),
          })
          const handle = new PilotHandle({
            resourceType: "LOCAL",
            resourceId,
            workerId: spec.workerId,
            jobId: String(pilot.pid),
          })
          const pilots = new Map(s.pilots).set(handle.jobId, { handle, process: pilot })
          yield* watch({ handle, process: pilot })
          return [handle, { ...s, pilots }] as const
        }),
      ).pipe(
        Effect.tap((handle) =>
          Effect.logInfo(`started local pilot ${handle.workerId} (pid ${handle.jobId})`),
        ),
        Effect.withSpan("Compute.submitPilot", { attributes: { resourceId, workerId: spec.workerId } }),
      )

    const status = (handle: PilotHandle) =>
      Effect.flatMap(lookup(handle), (entry) => entry.process.status).pipe(
        Effect.withSpan("Compute.status", { attributes: { resourceId, workerId: handle.workerId } }),
      )

    const awaitExit = (handle: PilotHandle) =>
      Effect.flatMap(lookup(handle), (entry) =>
        Effect.zipRight(entry.process.exit, entry.process.status),
      ).pipe(Effect.withSpan("Compute.awaitExit", { attributes: { resourceId, workerId: handle.workerId } }))

    const cancel = (handle: PilotHandle, cancelOptions: CancelOptions = {}) =>
      Effect.gen(function* () {
        const entry = yield* lookup(handle)
        const graceMs = cancelOptions.graceMs
        if (graceMs !== undefined && !(Number.isFinite(graceMs) && graceMs >= 0))
          return yield* new ComputeCancelFailed({
            resourceId,
            workerId: handle.workerId,
            jobId: handle.jobId,
            reason: `graceMs must be a non-negative number, got ${graceMs}`,
          })
        return yield* entry.process.stop(
          graceMs === undefined ? grace : Duration.millis(graceMs),
          "cancelled",
        )
      }).pipe(Effect.withSpan("Compute.cancel", { attributes: { resourceId, workerId: handle.workerId } }))

    const list = () =>
      Effect.flatMap(SynchronizedRef.get(state), (s) =>
        Effect.forEach(s.pilots.values(), (entry) =>
          Effect.map(
            entry.process.status,
            (pilotStatus) => new PilotInfo({ handle: entry.handle, status: pilotStatus }),
          ),
        ),
      ).pipe(Effect.withSpan("Compute.list", { attributes: { resourceId } }))

    return {
      resourceId,
      resourceType: "LOCAL",
      submitPilot,
      status,
      awaitExit,
      cancel,
      list,
    } satisfies ComputeService
  })

/** The Compute port backed by local child processes. */
export const layer = (options: LocalComputeOptions = {}): Layer.Layer<Compute, ComputeUnavailable> =>
  Layer.scoped(Compute, make(options))
