/**
 * `airavata server`: a scheduler replica on PostgreSQL (`DATABASE_URL`) with the gRPC worker
 * endpoint, so workers on other machines can connect. Run several against one database; each
 * serves the workers connected to it. Workers started by hand or by a batch system register with
 * the registration token (`AIRAVATA_REGISTRATION_TOKEN`).
 */
import { Command, Options } from "@effect/cli"
import { Config, Effect, Option } from "effect"
import { startSchedulerReplica } from "../../api/SchedulerServer.js"
import { ComputeResourceId } from "../../domain/Ids.js"
import { StoreLive } from "../../layers/store/StoreLive.js"
import { ensureLocalDirectory } from "../../programs/localDirectory.js"
import { durationOption } from "../durationOption.js"

const host = Options.text("host").pipe(
  Options.withDefault("0.0.0.0"),
  Options.withDescription("Address to listen on"),
)
const port = Options.integer("port").pipe(
  Options.withDefault(50051),
  Options.withDescription("gRPC port for workers (the reference scheduler's 50051; 0 picks a free one)"),
)
const heartbeatInterval = durationOption(
  "heartbeat-interval",
  "10s",
  "Heartbeat period asked of workers; leases last several",
)
const reapInterval = durationOption("reap-interval", "1s", "How often expired leases are reclaimed")
const computeResource = Options.text("compute-resource").pipe(
  Options.withDefault("local"),
  Options.withDescription("Compute resource of self-registered workers that name none"),
)

export const serverCommand = Command.make(
  "server",
  { host, port, heartbeatInterval, reapInterval, computeResource },
  (flags) =>
    Effect.gen(function* () {
      const registrationToken = yield* Config.option(Config.redacted("AIRAVATA_REGISTRATION_TOKEN"))
      yield* ensureLocalDirectory("default")
      const bound = yield* startSchedulerReplica({
        host: flags.host,
        port: flags.port,
        heartbeatInterval: flags.heartbeatInterval,
        reapInterval: flags.reapInterval,
        defaultComputeResource: ComputeResourceId.make(flags.computeResource),
        ...Option.match(registrationToken, { onNone: () => ({}), onSome: (t) => ({ registrationToken: t }) }),
      })
      if (Option.isNone(registrationToken)) {
        yield* Effect.logWarning(
          "AIRAVATA_REGISTRATION_TOKEN is not set: only pre-registered workers can connect",
        )
      }
      yield* Effect.logInfo(`serving workers on ${bound.host}:${bound.port}; stop with Ctrl-C`)
      return yield* Effect.never
    }).pipe(Effect.scoped, Effect.provide(StoreLive.postgresFromEnv())),
).pipe(
  Command.withDescription(
    "Run a scheduler replica on PostgreSQL (DATABASE_URL) with the gRPC worker endpoint.",
  ),
)
