/** How a worker process is told where to connect and how to run (flags of `airavata worker`). */
import type { Duration, Redacted } from "effect"
import type { TaskHandlers } from "./executor/index.js"
import type { Prefetch } from "./PrefetchWindow.js"

export interface WorkerConfig {
  /** "host:port" of a scheduler's gRPC endpoint. */
  readonly serverAddress: string
  readonly workerId: string
  /** Root of the per-attempt task directories. */
  readonly workingDir: string
  readonly heartbeatInterval: Duration.Duration
  /** Default limit of one attempt when the task sets none. */
  readonly taskTimeout?: Duration.Duration
  /** Tasks run concurrently. */
  readonly slots: number
  /**
   * Assignments held beyond `slots`, ready to start the moment a slot frees: a fixed number, or
   * "auto" (the default), sized to one claim round trip of work per slot (see PrefetchWindow).
   * Hides the round trip for short tasks; long ones are not held, another worker could start them.
   */
  readonly prefetch?: Prefetch
  /** The per-worker token (AIRAVATA_WORKER_TOKEN); never on the command line. */
  readonly token: Redacted.Redacted<string>
  readonly handlers: TaskHandlers
  /** Between SIGTERM and SIGKILL when an attempt is canceled. */
  readonly graceMs: number
  /** How long a draining worker waits for running tasks before handing them back. */
  readonly drainTimeout: Duration.Duration
  readonly computeResourceId?: string
  readonly capabilities: {
    readonly cpuCores: number
    readonly memoryMB: number
    readonly diskGB: number
    readonly gpus: number
  }
}
