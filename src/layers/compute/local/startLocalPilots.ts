/** Starts a fleet of pilots at once: by default one per core of this machine. */
import * as Os from "node:os"
import { Duration, Effect, ParseResult, type Redacted, Schema } from "effect"
import { type ComputeResourceId, WorkerId } from "../../../domain/Ids.js"
import { Compute, type PilotHandle, PilotSpec } from "../../../ports/Compute.js"
import { ComputeSubmitFailed, type ComputeUnavailable } from "../../../ports/ComputeErrors.js"

/** What every pilot of the fleet shares; see PilotSpec for the fields. */
export interface LocalPilotsOptions<E, R> {
  /** Worker ids are `<prefix>-1` … `<prefix>-<n>`. */
  readonly prefix: string
  readonly serverAddress: string
  readonly workingDir: string
  readonly slots: number
  readonly heartbeatInterval: Duration.DurationInput
  readonly taskTimeout: Duration.DurationInput
  readonly handlersModule?: string
  readonly env?: Readonly<Record<string, string>>
  /** Registers worker `workerId` and mints its token, before its pilot starts. */
  readonly token: (workerId: WorkerId) => Effect.Effect<Redacted.Redacted<string>, E, R>
}

/**
 * Starts `count` pilots (default `os.availableParallelism()`), one after the other, and returns
 * their handles in order. All or nothing: if one cannot start, those already started are
 * cancelled and the error is returned.
 */
export const startLocalPilots = <E, R>(
  count: number | undefined,
  common: LocalPilotsOptions<E, R>,
): Effect.Effect<ReadonlyArray<PilotHandle>, E | ComputeSubmitFailed | ComputeUnavailable, Compute | R> =>
  Effect.gen(function* () {
    const n = count ?? Os.availableParallelism()
    if (!Number.isInteger(n) || n < 0) return yield* Effect.dieMessage(`startLocalPilots: bad count ${n}`)
    const compute = yield* Compute
    const started: Array<PilotHandle> = []
    const startOne = (i: number) =>
      Effect.gen(function* () {
        const workerId = yield* decodeWorkerId(`${common.prefix}-${i}`, compute.resourceId)
        const token = yield* common.token(workerId)
        const spec = yield* makeSpec(workerId, token, common, compute.resourceId)
        started.push(yield* compute.submitPilot(spec))
      })
    yield* Effect.forEach(
      Array.from({ length: n }, (_, i) => i + 1),
      startOne,
      { discard: true },
    ).pipe(
      Effect.onError(() =>
        Effect.forEach(started, (handle) => Effect.ignore(compute.cancel(handle)), {
          concurrency: "unbounded",
          discard: true,
        }),
      ),
    )
    return started
  })

const invalid = (resourceId: ComputeResourceId, workerId: string, error: ParseResult.ParseError) =>
  new ComputeSubmitFailed({
    resourceId,
    // Not a valid WorkerId: reported as given, so the message names what the caller passed.
    workerId: WorkerId.make(workerId, { disableValidation: true }),
    reason: `invalid pilot spec: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
  })

const decodeWorkerId = (workerId: string, resourceId: ComputeResourceId) =>
  Schema.decode(WorkerId)(workerId).pipe(Effect.mapError((error) => invalid(resourceId, workerId, error)))

const makeSpec = <E, R>(
  workerId: WorkerId,
  token: Redacted.Redacted<string>,
  common: LocalPilotsOptions<E, R>,
  resourceId: ComputeResourceId,
) =>
  Schema.decode(PilotSpec)({
    workerId,
    serverAddress: common.serverAddress,
    token,
    workingDir: common.workingDir,
    slots: common.slots,
    heartbeatInterval: Duration.decode(common.heartbeatInterval),
    taskTimeout: Duration.decode(common.taskTimeout),
    env: { ...common.env },
    ...(common.handlersModule === undefined ? {} : { handlersModule: common.handlersModule }),
  }).pipe(Effect.mapError((error) => invalid(resourceId, workerId, error)))
