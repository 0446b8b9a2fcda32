/**
 * A scheduler replica: the Dispatcher (change feed → sessions), the LeaseReaper, the
 * StatisticsKeeper and the gRPC WorkerService endpoint, all scoped. Several replicas can run
 * against one PostgreSQL; each keeps only its open worker streams in memory.
 */
import { Context, Duration, Effect, Layer } from "effect"
import { Dispatcher } from "../actors/Dispatcher.js"
import { LeaseReaperLive } from "../actors/LeaseReaper.js"
import { StatisticsKeeperLive } from "../actors/StatisticsKeeper.js"
import { type BoundServer, serveWorkerService } from "./grpc/WorkerGrpcServer.js"
import { makeWorkerServiceHandlers, type WorkerEndpointOptions } from "./worker/WorkerServiceHandlers.js"

export interface SchedulerServerOptions extends WorkerEndpointOptions {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  readonly reapInterval?: Duration.Duration
}

/** The Dispatcher, LeaseReaper and StatisticsKeeper over a Store. */
export const SchedulerActorsLive = (options: { readonly reapInterval?: Duration.Duration } = {}) =>
  Layer.mergeAll(
    Dispatcher.Default,
    LeaseReaperLive(options.reapInterval ? { interval: options.reapInterval } : {}),
    StatisticsKeeperLive(),
  )

/** Serves WorkerService until the scope closes; needs the scheduler actors in context. */
export const serveScheduler = (options: SchedulerServerOptions) =>
  Effect.gen(function* () {
    const handlers = yield* makeWorkerServiceHandlers(options)
    return yield* serveWorkerService(handlers, {
      host: options.host,
      port: options.port,
      shutdownGrace: Duration.seconds(5),
    })
  })

export type { BoundServer }

/**
 * Everything a scheduler replica runs, bound to `host:port`, for as long as the caller's scope
 * lives (the actors are built in that scope, not just for the bind). Yields where it is bound, and
 * its Dispatcher's `reserveSlots` for work submitted in this process (`submitExperiment`).
 */
export const startSchedulerReplica = (options: SchedulerServerOptions) =>
  Effect.gen(function* () {
    const actors = yield* Layer.build(
      SchedulerActorsLive(options.reapInterval ? { reapInterval: options.reapInterval } : {}),
    )
    const bound = yield* serveScheduler(options).pipe(Effect.provide(actors))
    yield* Effect.logInfo(`scheduler listening on ${bound.host}:${bound.port}`)
    return { ...bound, reserveSlots: Context.get(actors, Dispatcher).reserveSlots }
  })
