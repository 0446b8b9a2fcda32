/**
 * The Compute port: start, watch and stop pilots on one compute resource. A pilot is a job that
 * runs `airavata worker …`, which connects back to the scheduler over gRPC and pulls tasks; the
 * provider only manages the job's lifetime. Local = child processes; SSH, SLURM and Kubernetes
 * implement the same interface. The worker's token travels in the environment
 * (`AIRAVATA_WORKER_TOKEN`), never on the command line, where `ps` would show it.
 */
import { Context, Duration, type Effect, Schema } from "effect"
import { ComputeResourceId, WorkerId } from "../domain/Ids.js"
import { ComputeResourceType } from "../domain/Resources.js"
import type {
  ComputeCancelFailed,
  ComputeQueryFailed,
  ComputeSubmitFailed,
  ComputeUnavailable,
  PilotNotFound,
} from "./ComputeErrors.js"

/** Environment variable that carries the worker's token into the pilot. */
export const WORKER_TOKEN_ENV = "AIRAVATA_WORKER_TOKEN"

const PositiveDuration = Schema.DurationFromSelf.pipe(
  Schema.filter((d) => Duration.isFinite(d) && Duration.toMillis(d) > 0, {
    message: () => "a finite duration longer than zero",
  }),
)

// host:port, with a bracketed IPv6 host allowed ("[::1]:50051").
const ServerAddress = Schema.String.pipe(
  Schema.pattern(/^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, { message: () => "host:port" }),
)

/** Everything a provider needs to start one pilot. */
export class PilotSpec extends Schema.Class<PilotSpec>("PilotSpec")({
  /** The id the worker registers with; its row and token exist before the pilot starts. */
  workerId: WorkerId,
  /** The scheduler's gRPC endpoint as the pilot reaches it, `host:port`. */
  serverAddress: ServerAddress,
  /** The worker's token; kept Redacted so that encoding the spec never reveals it. */
  token: Schema.RedactedFromSelf(Schema.NonEmptyString),
  /** The worker's working directory on the resource (task directories, logs). */
  workingDir: Schema.NonEmptyString,
  /** How many tasks the worker runs at once. */
  slots: Schema.Int.pipe(Schema.positive()),
  heartbeatInterval: PositiveDuration,
  /** Upper bound on one task attempt, enforced by the worker. */
  taskTimeout: PositiveDuration,
  /** Module (path or package) registering in-process task handlers, loaded by the worker. */
  handlersModule: Schema.optional(Schema.NonEmptyString),
  /** Extra environment for the pilot; the token variable is always set from `token`. */
  env: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
    default: () => ({}),
  }),
}) {
  /** The `airavata worker` flags for this pilot, in a fixed order; never contains the token. */
  get workerArgs(): ReadonlyArray<string> {
    return [
      "--server-address",
      this.serverAddress,
      "--worker-id",
      this.workerId,
      "--working-dir",
      this.workingDir,
      "--heartbeat-interval",
      formatDuration(this.heartbeatInterval),
      "--task-timeout",
      formatDuration(this.taskTimeout),
      "--slots",
      String(this.slots),
      ...(this.handlersModule === undefined ? [] : ["--handlers", this.handlersModule]),
    ]
  }
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
]

/**
 * A duration in the largest unit that expresses it exactly ("10s", "1h", "90s", "1500ms"), which
 * both Go's time.ParseDuration and our spec parser read back to the same value.
 */
export const formatDuration = (duration: Duration.Duration): string => {
  const ms = Math.ceil(Duration.toMillis(duration))
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`
  return `${ms}ms`
}

/** Identifies a pilot to the provider that started it; plain data, safe to persist and log. */
export class PilotHandle extends Schema.Class<PilotHandle>("PilotHandle")({
  resourceType: ComputeResourceType,
  resourceId: ComputeResourceId,
  workerId: WorkerId,
  /** The provider's own id: a pid (local), a SLURM job id, a Job name (Kubernetes). */
  jobId: Schema.NonEmptyString,
}) {}

/** Where a pilot is in its life. COMPLETED, FAILED and CANCELLED are terminal. */
export const PilotState = Schema.Literal("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")
export type PilotState = typeof PilotState.Type

/** A pilot's state, with how it ended once it has. */
export class PilotStatus extends Schema.Class<PilotStatus>("PilotStatus")({
  state: PilotState,
  /** Exit code of the pilot process, when it exited normally. */
  exitCode: Schema.optional(Schema.Int),
  /** Signal that ended the pilot process, when one did. */
  signal: Schema.optional(Schema.String),
  /** Human-readable explanation of a terminal state ("exited with code 3"). */
  reason: Schema.optional(Schema.String),
}) {
  /** Whether the pilot has ended and will not change state again. */
  get isTerminal(): boolean {
    return this.state === "COMPLETED" || this.state === "FAILED" || this.state === "CANCELLED"
  }
}

/** One pilot known to a provider and its current status. */
export class PilotInfo extends Schema.Class<PilotInfo>("PilotInfo")({
  handle: PilotHandle,
  status: PilotStatus,
}) {}

/** How to cancel a pilot. */
export interface CancelOptions {
  /** Time the pilot gets to drain after SIGTERM before SIGKILL; the provider's default if absent. */
  readonly graceMs?: number
}

export interface ComputeService {
  /** The compute resource this provider manages. */
  readonly resourceId: ComputeResourceId
  /** Its kind. */
  readonly resourceType: ComputeResourceType
  /** Starts a pilot running `airavata worker` with the spec's flags and token. */
  readonly submitPilot: (
    spec: PilotSpec,
  ) => Effect.Effect<PilotHandle, ComputeSubmitFailed | ComputeUnavailable>
  /** The pilot's current state; a terminal state carries the exit code or signal and a reason. */
  readonly status: (
    handle: PilotHandle,
  ) => Effect.Effect<PilotStatus, PilotNotFound | ComputeQueryFailed | ComputeUnavailable>
  /** Waits until the pilot has ended and returns its terminal status (to restart or report it). */
  readonly awaitExit: (
    handle: PilotHandle,
  ) => Effect.Effect<PilotStatus, PilotNotFound | ComputeQueryFailed | ComputeUnavailable>
  /**
   * Stops the pilot: SIGTERM (the worker drains), then SIGKILL once the grace period has passed.
   * Returns the status after cancelling: CANCELLED, or how it ended if it already had. A provider
   * that cannot observe the end (a batch queue) may return before the job is gone.
   */
  readonly cancel: (
    handle: PilotHandle,
    options?: CancelOptions,
  ) => Effect.Effect<PilotStatus, PilotNotFound | ComputeCancelFailed | ComputeUnavailable>
  /** Every pilot this provider started and still knows, running or ended. */
  readonly list: () => Effect.Effect<ReadonlyArray<PilotInfo>, ComputeQueryFailed | ComputeUnavailable>
}

/** The compute port: one provider per compute resource. */
export class Compute extends Context.Tag("airavata/Compute")<Compute, ComputeService>() {}
