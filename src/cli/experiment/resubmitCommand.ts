/** `airavata experiment resubmit ID [--name N] [--output table|json]`: the same spec as a new experiment. */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { storeLayer, storeOptions } from "../storeTarget.js"
import { experimentId, output, print, printJson } from "./experimentOptions.js"
import { resubmitExperiment } from "./resubmitExperiment.js"
import { asUserErrors } from "./userErrors.js"

const name = Options.text("name").pipe(
  Options.optional,
  Options.withDescription("Name of the new experiment (default: <name>-resubmit-<n>)"),
)

export const resubmitCommand = Command.make(
  "resubmit",
  { ...storeOptions, id: experimentId, name, output },
  (flags) =>
    Effect.gen(function* () {
      const submitted = yield* resubmitExperiment(flags.id, Option.getOrUndefined(flags.name))
      const e = submitted.experiment
      if (flags.output === "json") {
        return yield* printJson({ id: e.id, name: e.name, total: e.totalTasks, resubmittedFrom: flags.id })
      }
      yield* print(`${e.id}\n`)
    }).pipe(asUserErrors, Effect.provide(storeLayer(flags))),
).pipe(
  Command.withDescription(
    "Submit an experiment's stored spec again as a new experiment (metadata.resubmittedFrom names the original).",
  ),
)
