/** The `airavata` command line: the root command and its subcommands, run on Node. */
import { Command } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { reportFailure } from "./exitCode.js"
import { experimentCommand } from "./experiment/ExperimentCommand.js"
import { runCommand } from "./run/RunCommand.js"
import { serverCommand } from "./server/ServerCommand.js"
import { specCommand } from "./spec/SpecCommand.js"
import { submitCommand } from "./submit/SubmitCommand.js"
import { workerCommand } from "./worker/WorkerCommand.js"

/** The root command. A new subcommand is one more entry in the list below. */
export const airavata = Command.make("airavata").pipe(
  Command.withDescription("Airavata scheduler: run parameter sweeps and DAGs of scripts on any compute."),
  Command.withSubcommands([
    specCommand,
    runCommand,
    submitCommand,
    experimentCommand,
    serverCommand,
    workerCommand,
  ]),
)

const run = Command.run(airavata, { name: "airavata", version: "0.1.0" })

// process.exitCode, not process.exit: output still buffered for stdout/stderr gets flushed.
const setExitCode = (code: number) =>
  Effect.sync(() => {
    process.exitCode = code
  })

run(process.argv).pipe(
  Effect.catchAll((error) => Effect.flatMap(reportFailure(error), setExitCode)),
  // The CLI has no tracer to export spans to; recording them (a stack trace each) was ≈ 10 % of a
  // server's CPU per task. An embedding application keeps spans, with its own tracer.
  Effect.withTracerEnabled(false),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain,
)
