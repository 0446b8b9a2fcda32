/**
 * Ready-made Scheduler layers, the composition roots of the library:
 *
 * - `SchedulerLive.embedded(…)` — everything in this process but the workers: PGlite in a data
 *   directory (locked: one process at a time), a scheduler replica on loopback, and N local worker
 *   processes (what `airavata run` runs). Nothing to install.
 * - `SchedulerLive.postgres({ url, … })` — a replica on a PostgreSQL server, serving the gRPC worker
 *   endpoint for workers started elsewhere (`airavata worker`, pilots on clusters); no local workers.
 *
 * Both also provide the Store (for what the Scheduler does not wrap) and the SchedulerEndpoint.
 * Closing the layer stops, in order: local workers (they drain), the worker endpoint, the database.
 */
import * as Os from "node:os"
import * as Path from "node:path"
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import type { Dispatcher } from "./actors/Dispatcher.js"
import { Scheduler } from "./actors/Scheduler.js"
import { SchedulerActorsLive, serveScheduler } from "./api/SchedulerServer.js"
import * as LocalCompute from "./layers/compute/local/LocalCompute.js"
import { startLocalPilots } from "./layers/compute/local/startLocalPilots.js"
import { embeddedStore } from "./layers/store/pglite/DataDir.js"
import { StoreLive } from "./layers/store/StoreLive.js"
import type { Store } from "./ports/Store.js"
import { ensureLocalDirectory, LOCAL_COMPUTE } from "./programs/localDirectory.js"
import { registerWorkerWithToken } from "./programs/registerWorker.js"

/** Where this replica listens for workers and, when embedded, where its local workers live. */
export interface SchedulerEndpointInfo {
  readonly host: string
  readonly port: number
  /** Root of the local workers' task directories (`<dataDir>/work`); absent without local workers. */
  readonly workDir?: string
  /** Log file of each local worker process, in start order. */
  readonly workerLogs: ReadonlyArray<string>
}

/** The running replica's address and local worker details. */
export class SchedulerEndpoint extends Context.Tag("airavata/SchedulerEndpoint")<
  SchedulerEndpoint,
  SchedulerEndpointInfo
>() {}

export interface EmbeddedOptions {
  /** Database in `<dataDir>/db`, task directories in `<dataDir>/work`; default `.airavata` (as `airavata run`). */
  readonly dataDir?: string
  /** Local worker processes; default one per core, 0 for none. */
  readonly workers?: number
  /** Tasks each worker runs at once; default 1. */
  readonly slots?: number
  /** Module whose default export is a record of task handlers, loaded by every worker. */
  readonly handlersModule?: string
  /** Limit of an attempt whose task sets no timeout; default 24 hours. */
  readonly taskTimeout?: Duration.DurationInput
  /** Heartbeat period asked of workers; default 2 seconds. */
  readonly heartbeatInterval?: Duration.DurationInput
  /** Re-read period of `awaitCompletion`/`progress` when no notification arrives; default 5 seconds. */
  readonly pollInterval?: Duration.DurationInput
}

export interface PostgresOptions {
  /** `postgres://user@host:5432/db`. */
  readonly url: string | Redacted.Redacted
  /** Connection pool size; default 10. */
  readonly maxConnections?: number
  /** Address of the worker endpoint; default 0.0.0.0. */
  readonly host?: string
  /** Port of the worker endpoint; default 50051, 0 picks a free one. */
  readonly port?: number
  /** Lets unknown workers presenting this token register themselves. */
  readonly registrationToken?: string | Redacted.Redacted<string>
  /** Heartbeat period asked of workers; default 10 seconds. */
  readonly heartbeatInterval?: Duration.DurationInput
  /** How often expired leases are reclaimed; default 1 second. */
  readonly reapInterval?: Duration.DurationInput
  /** Lease length (claims and heartbeats extend it); default 30 seconds. */
  readonly leaseDuration?: Duration.DurationInput
  /** Re-read period of `awaitCompletion`/`progress` when no notification arrives; default 5 seconds. */
  readonly pollInterval?: Duration.DurationInput
}

const pollOf = (options: { readonly pollInterval?: Duration.DurationInput }) =>
  options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }

/** The Scheduler and the replica's actors over `store`, plus whatever `endpoint` adds. */
const compose = <E1, E2>(
  store: Layer.Layer<Store, E1>,
  endpoint: Layer.Layer<SchedulerEndpoint, E2, Store | Dispatcher>,
  options: { readonly pollInterval?: Duration.DurationInput; readonly reapInterval?: Duration.DurationInput },
) =>
  Layer.mergeAll(Scheduler.layer(pollOf(options)), endpoint).pipe(
    Layer.provideMerge(
      SchedulerActorsLive(
        options.reapInterval === undefined ? {} : { reapInterval: Duration.decode(options.reapInterval) },
      ),
    ),
    Layer.provideMerge(store),
  )

const embeddedEndpoint = (options: EmbeddedOptions, dataDir: string) =>
  Layer.scoped(
    SchedulerEndpoint,
    Effect.gen(function* () {
      const heartbeatInterval = Duration.decode(options.heartbeatInterval ?? Duration.seconds(2))
      const bound = yield* serveScheduler({
        host: "127.0.0.1",
        port: 0,
        heartbeatInterval,
        defaultComputeResource: LOCAL_COMPUTE,
      })
      yield* ensureLocalDirectory("default")
      const workers = Math.max(0, Math.floor(options.workers ?? Os.availableParallelism()))
      if (workers === 0) return { host: bound.host, port: bound.port, workerLogs: [] }
      const workDir = Path.join(dataDir, "work")
      const slots = Math.max(1, Math.floor(options.slots ?? 1))
      // Built after the endpoint, so it is closed first: workers drain while they can still report.
      const compute = yield* Layer.build(LocalCompute.layer())
      const prefix = `local-${process.pid}`
      const pilots = yield* startLocalPilots(workers, {
        prefix,
        serverAddress: `127.0.0.1:${bound.port}`,
        workingDir: workDir,
        slots,
        heartbeatInterval,
        taskTimeout: options.taskTimeout ?? Duration.hours(24),
        ...(options.handlersModule === undefined
          ? {}
          : { handlersModule: Path.resolve(options.handlersModule) }),
        token: (workerId) => registerWorkerWithToken(workerId, LOCAL_COMPUTE, slots),
      }).pipe(Effect.provide(compute))
      return {
        host: bound.host,
        port: bound.port,
        workDir,
        workerLogs: pilots.map((p) => LocalCompute.pilotLogFile(workDir, p.workerId)),
      }
    }),
  )

const postgresEndpoint = (options: PostgresOptions) =>
  Layer.scoped(
    SchedulerEndpoint,
    Effect.gen(function* () {
      const token = options.registrationToken
      yield* ensureLocalDirectory("default")
      const bound = yield* serveScheduler({
        host: options.host ?? "0.0.0.0",
        port: options.port ?? 50051,
        heartbeatInterval: Duration.decode(options.heartbeatInterval ?? Duration.seconds(10)),
        defaultComputeResource: LOCAL_COMPUTE,
        ...(token === undefined
          ? {}
          : { registrationToken: typeof token === "string" ? Redacted.make(token) : token }),
      })
      return { host: bound.host, port: bound.port, workerLogs: [] }
    }),
  )

/** The Scheduler with everything it runs on; see the module comment. */
export const SchedulerLive = {
  /** PGlite in `dataDir`, a replica on loopback and `workers` local worker processes. */
  embedded: (options: EmbeddedOptions = {}) => {
    const dataDir = Path.resolve(options.dataDir ?? ".airavata")
    return compose(embeddedStore(dataDir), embeddedEndpoint(options, dataDir), options)
  },
  /** A replica on PostgreSQL serving the worker endpoint; workers run elsewhere. */
  postgres: (options: PostgresOptions) =>
    compose(
      StoreLive.postgres({
        url: options.url,
        ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
        ...(options.leaseDuration === undefined ? {} : { leaseDuration: options.leaseDuration }),
      }),
      postgresEndpoint(options),
      options,
    ),
} as const

/** What an embedded or PostgreSQL scheduler layer provides. */
export type SchedulerLiveServices = Scheduler | Store | Dispatcher | SchedulerEndpoint
/** Why `SchedulerLive.embedded` failed to start (database, migrations, endpoint, worker processes). */
export type EmbeddedStartupError = Layer.Layer.Error<ReturnType<typeof SchedulerLive.embedded>>
/** Why `SchedulerLive.postgres` failed to start (database, migrations, endpoint). */
export type PostgresStartupError = Layer.Layer.Error<ReturnType<typeof SchedulerLive.postgres>>
