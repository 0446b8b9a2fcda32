/**
 * `airavata worker`: the process that runs on a compute resource, connects back to a scheduler
 * and runs tasks (flags as the reference worker's). The token comes from AIRAVATA_WORKER_TOKEN,
 * never from the command line, where `ps` would show it.
 */
import * as Os from "node:os"
import * as Path from "node:path"
import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Config, Effect, Option } from "effect"
import { loadHandlerModule, TaskExecutor, TaskHandlers } from "../../worker/executor/index.js"
import type { Prefetch } from "../../worker/PrefetchWindow.js"
import { runWorker } from "../../worker/WorkerRuntime.js"
import { durationOption } from "../durationOption.js"

const serverAddress = Options.text("server-address").pipe(
  Options.withDefault("127.0.0.1:50051"),
  Options.withDescription("host:port of the scheduler's gRPC endpoint"),
)
const workerId = Options.text("worker-id").pipe(
  Options.withDefault(`${Os.hostname()}-${process.pid}`),
  Options.withDescription("This worker's id (as provisioned); default host-pid"),
)
const workingDir = Options.directory("working-dir").pipe(
  Options.withDefault(Path.join(Os.tmpdir(), "airavata-worker")),
  Options.withDescription("Root of the per-attempt task directories"),
)
const heartbeatInterval = durationOption(
  "heartbeat-interval",
  "10s",
  "Heartbeat period (the scheduler may ask for another)",
)
const taskTimeout = durationOption("task-timeout", "24h", "Limit of one attempt when its task sets none")
const drainTimeout = durationOption(
  "drain-timeout",
  "5m",
  "On SIGTERM, how long running tasks may finish before they are handed back",
)
const slots = Options.integer("slots").pipe(
  Options.withDefault(1),
  Options.withDescription("Tasks run at once"),
)
const prefetch = Options.text("prefetch").pipe(
  Options.withDefault("auto"),
  Options.mapEffect((text): Effect.Effect<Prefetch, ValidationError.ValidationError> => {
    if (text === "auto") return Effect.succeed("auto")
    const n = Number(text)
    return Number.isInteger(n) && n >= 0 && /^\d+$/.test(text)
      ? Effect.succeed(n)
      : Effect.fail(
          ValidationError.invalidValue(
            HelpDoc.p(`--prefetch: expected "auto" or a whole number ≥ 0, got "${text}"`),
          ),
        )
  }),
  Options.withDescription(
    "Assignments held beyond --slots, ready when a slot frees: a number, or auto (about one claim " +
      "round trip of work per slot: many for tasks of milliseconds, none for tasks of seconds)",
  ),
)
const handlers = Options.file("handlers").pipe(
  Options.optional,
  Options.withDescription("Module whose default export maps handler names to Effect functions"),
)
const computeResource = Options.text("compute-resource").pipe(
  Options.optional,
  Options.withDescription("Compute resource this worker belongs to (self-registration)"),
)

export const workerCommand = Command.make(
  "worker",
  {
    serverAddress,
    workerId,
    workingDir,
    heartbeatInterval,
    taskTimeout,
    drainTimeout,
    slots,
    prefetch,
    handlers,
    computeResource,
  },
  (flags) =>
    Effect.gen(function* () {
      const token = yield* Config.redacted("AIRAVATA_WORKER_TOKEN")
      const loaded = yield* Option.match(flags.handlers, {
        onNone: () => Effect.succeed(TaskHandlers.builtin),
        onSome: (path) =>
          loadHandlerModule(Path.resolve(path)).pipe(Effect.map((h) => TaskHandlers.builtin.merge(h))),
      })
      yield* runWorker({
        serverAddress: flags.serverAddress,
        workerId: flags.workerId,
        workingDir: Path.resolve(flags.workingDir),
        heartbeatInterval: flags.heartbeatInterval,
        taskTimeout: flags.taskTimeout,
        slots: Math.max(1, flags.slots),
        prefetch: flags.prefetch,
        token,
        handlers: loaded,
        graceMs: 10_000,
        drainTimeout: flags.drainTimeout,
        ...Option.match(flags.computeResource, {
          onNone: () => ({}),
          onSome: (id) => ({ computeResourceId: id }),
        }),
        capabilities: {
          cpuCores: Os.availableParallelism(),
          memoryMB: Math.floor(Os.totalmem() / 2 ** 20),
          diskGB: 0,
          gpus: 0,
        },
      }).pipe(
        Effect.provide(
          TaskExecutor.layer({
            workingDir: Path.resolve(flags.workingDir),
            timeout: flags.taskTimeout,
            handlers: loaded,
          }),
        ),
      )
    }),
).pipe(Command.withDescription("Run tasks for a scheduler: connect, take assignments, report, heartbeat."))
