/**
 * `airavata submit SPEC [--name N] [--open] [--output table|json]`: validate the spec and create the
 * experiment (EXECUTING) in the target store, for running servers and workers to execute. Prints
 * the new id, or `{id, total, open}` with `--output json`. With `--open` the experiment starts with
 * no tasks: the spec's tasks are templates for `experiment add`, until `experiment close`.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import type { ExperimentSpec } from "../../domain/spec/index.js"
import { ensureLocalDirectory } from "../../programs/localDirectory.js"
import { submitExperiment } from "../../programs/submitExperiment.js"
import { output, print, printJson } from "../experiment/experimentOptions.js"
import { asUserErrors } from "../experiment/userErrors.js"
import { InvalidInput } from "../InvalidInput.js"
import { readSpecFile } from "../spec/readSpecFile.js"
import { storeLayer, storeOptions } from "../storeTarget.js"

const file = Args.file({ name: "SPEC" }).pipe(Args.withDescription("Experiment spec (YAML or API JSON)"))
const name = Options.text("name").pipe(
  Options.optional,
  Options.withDescription("Experiment name (default: the spec's); unique within the project"),
)
const open = Options.boolean("open").pipe(
  Options.withDescription(
    "Open experiment: no tasks yet; add instances of the spec's tasks with `experiment add`, then `experiment close`",
  ),
)

// An open experiment does nothing until tasks are added: the line says how.
const howToAdd = (id: string, spec: ExperimentSpec) =>
  `add instances of its tasks (${spec.tasks.map((t) => t.name).join(", ")}) with ` +
  `\`airavata experiment add ${id} TASK --input NAME=VALUE\`, then \`airavata experiment close ${id}\``

export const submitCommand = Command.make("submit", { ...storeOptions, file, name, open, output }, (flags) =>
  // The spec is checked before the store is opened: a bad spec never creates a data directory.
  Effect.flatMap(readSpecFile(flags.file), (spec) =>
    Effect.gen(function* () {
      const { userId, projectId } = yield* ensureLocalDirectory(spec.project ?? "default")
      const submitted = yield* submitExperiment(spec, {
        ownerId: userId,
        projectId,
        open: flags.open,
        ...Option.match(flags.name, { onNone: () => ({}), onSome: (n) => ({ name: n }) }),
      }).pipe(
        Effect.catchIf(
          (error) => error._tag === "EntityAlreadyExists" && error.field === "name",
          (error) => new InvalidInput({ message: `${error.message}: choose another with --name` }),
        ),
      )
      const e = submitted.experiment
      if (flags.output === "json") return yield* printJson({ id: e.id, total: e.totalTasks, open: e.open })
      yield* Console.error(
        e.open
          ? `submitted ${e.name}: open, ${e.status}; ${howToAdd(e.id, spec)}`
          : `submitted ${e.name}: ${e.totalTasks} task(s), ${e.status}`,
      )
      yield* print(`${e.id}\n`)
    }).pipe(asUserErrors, Effect.provide(storeLayer(flags, { create: true }))),
  ),
).pipe(Command.withDescription("Validate a spec and create its experiment for running servers and workers."))
