/** `airavata spec validate FILE` and `airavata spec expand FILE [--limit N] [--output table|json]`. */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option, Stream } from "effect"
import { expand } from "../../domain/spec/index.js"
import { InvalidInput } from "../InvalidInput.js"
import { writeStdout } from "../writeStdout.js"
import { readSpecFile } from "./readSpecFile.js"
import { renderJson, renderTable } from "./renderExpansion.js"

const file = Args.file({ name: "FILE" }).pipe(Args.withDescription("Spec file: CLI YAML or API JSON"))

const validate = Command.make("validate", { file }, ({ file }) =>
  Effect.gen(function* () {
    const expansion = expand(yield* readSpecFile(file))
    const counts = expansion.counts.map((c) => `${c.name}: ${c.count}`).join(", ")
    yield* Console.log(`OK ${file}: ${expansion.total} tasks (${counts})`)
  }),
).pipe(Command.withDescription("Check a spec and print its task counts; exit code 2 lists every problem."))

const limit = Options.integer("limit").pipe(
  Options.withDescription("Print at most N tasks (the total still counts them all)"),
  Options.optional,
)
const output = Options.choice("output", ["table", "json"]).pipe(
  Options.withDescription("table: one tab-separated row per task; json: one document {total, tasks}"),
  Options.withDefault("table"),
)

const expandCommand = Command.make("expand", { file, limit, output }, ({ file, limit, output }) =>
  Effect.gen(function* () {
    if (Option.isSome(limit) && limit.value < 0) {
      return yield* new InvalidInput({ message: `--limit must be ≥ 0, got ${limit.value}` })
    }
    const expansion = expand(yield* readSpecFile(file))
    const tasks = Option.match(limit, {
      onNone: () => expansion.tasks,
      onSome: (n) => Stream.take(expansion.tasks, n),
    })
    const body = output === "json" ? renderJson(expansion.total, tasks) : renderTable(tasks)
    yield* writeStdout(body)
  }),
).pipe(Command.withDescription("Print the task instances a spec expands to, in topological order."))

/** `airavata spec …`: check and preview experiment specs without running anything. */
export const specCommand = Command.make("spec").pipe(
  Command.withDescription("Validate and preview experiment specs (CLI YAML or API JSON)."),
  Command.withSubcommands([validate, expandCommand]),
)
