/**
 * The task instances `experiment add` is given: one from TASK and its `--input NAME=VALUE` flags,
 * or many from a JSON-lines file (`--inputs-file`). Each keeps where it came from, so that a bad one
 * is reported there: the flag, or the file's line.
 */
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Effect, Either, ParseResult, Schema } from "effect"
import type { InvalidInput as SpecInputInvalid } from "../../domain/Errors.js"
import type { ExperimentSpec, TaskInstance } from "../../domain/spec/index.js"
import { instantiate } from "../../domain/spec/index.js"
import { InvalidInput } from "../InvalidInput.js"

/** An instance and its origin, for messages: `where("inputs.X")` names that part of it. */
export interface LocatedInstance {
  readonly instance: TaskInstance
  readonly where: (path: string) => string
}

/** `NAME=VALUE` flags as inputs: the value is everything after the first `=`, and may be empty. */
export const parseInputFlags = (
  flags: ReadonlyArray<string>,
): Either.Either<Record<string, string>, string> => {
  const inputs = new Map<string, string>()
  for (const flag of flags) {
    const at = flag.indexOf("=")
    if (at <= 0) return Either.left(`--input: expected NAME=VALUE, got "${flag}"`)
    const name = flag.slice(0, at)
    if (inputs.has(name)) return Either.left(`--input: ${name} is given twice`)
    inputs.set(name, flag.slice(at + 1))
  }
  // fromEntries defines own properties: a name like __proto__ stays an input.
  return Either.right(Object.fromEntries(inputs))
}

/** `--input NAME=VALUE`, repeatable; a flag without `=` is a usage error (exit code 2). */
export const inputFlags = Options.text("input").pipe(
  Options.repeated,
  Options.mapEffect((flags) =>
    Either.match(parseInputFlags(flags), {
      onLeft: (message) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message))),
      onRight: Effect.succeed,
    }),
  ),
  Options.withDescription("An input of the task instance, NAME=VALUE (repeatable; VALUE may contain =)"),
)

// JSON numbers and booleans are taken as their text: inputs are strings, scripts write `{"SEED": 3}`.
const InputValue = Schema.Union(
  Schema.String,
  Schema.transform(Schema.Union(Schema.Finite, Schema.Boolean), Schema.String, {
    strict: true,
    decode: String,
    encode: (text) => (text === "true" || text === "false" ? text === "true" : Number(text)),
  }),
)
const Inputs = Schema.Record({ key: Schema.String, value: InputValue })

// Strict, so that a misspelt field of the long form is not taken for an input of the short one.
const Wrapped = Schema.Struct({ task: Schema.optional(Schema.String), inputs: Inputs }).annotations({
  parseOptions: { onExcessProperty: "error" },
})
/** A line: `{"task"?: …, "inputs": {…}}`, or the inputs object alone. */
const Line = Schema.parseJson(Schema.Union(Wrapped, Inputs))
const isWrapped = Schema.is(Wrapped)

const LINE_EXPECTED = `{"task": "TASK", "inputs": {"NAME": "VALUE", …}} or {"NAME": "VALUE", …}`

const lineIssue = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error).at(-1)
  const detail = issue === undefined ? "" : ` (${[...issue.path, issue.message].join(": ")})`
  return `expected ${LINE_EXPECTED}${detail}`
}

/**
 * The instances of an inputs file, one per non-blank line; a line without `task` is an instance of
 * `defaultTask`. A line that is not such an object fails, naming the file and line.
 */
export const readInputsFile = (
  file: string,
  defaultTask: string | undefined,
): Effect.Effect<ReadonlyArray<LocatedInstance>, InvalidInput, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError(
        (error) => new InvalidInput({ message: `--inputs-file: cannot read ${file} (${error.message})` }),
      ),
    )
    const located: Array<LocatedInstance> = []
    for (const [n, raw] of text.split(/\r?\n/).entries()) {
      if (raw.trim() === "") continue
      const at = (path: string) => `${file}:${n + 1}${path === "" ? "" : `: ${path}`}`
      const line = Schema.decodeUnknownEither(Line)(raw)
      if (Either.isLeft(line)) return yield* new InvalidInput({ message: `${at("")}: ${lineIssue(line.left)}` })
      const { task, inputs } = isWrapped(line.right) ? line.right : { task: undefined, inputs: line.right }
      const name = task ?? defaultTask
      if (name === undefined) {
        return yield* new InvalidInput({ message: `${at("")}: no "task", and no TASK argument to default to` })
      }
      located.push({ instance: { task: name, inputs }, where: at })
    }
    if (located.length === 0) return yield* new InvalidInput({ message: `--inputs-file: ${file} has no lines` })
    return located
  })

// instantiate's paths are `tasks[n].task` and `tasks[n].inputs.X`; `n` means nothing to the user.
const describe = (error: SpecInputInvalid, where: (path: string) => string): string =>
  `${where(error.path.replace(/^tasks\[\d+\]\.?/, ""))}: ${error.expected}${
    error.actual === undefined ? "" : `, got ${error.actual}`
  }`

/** Every instance checked against the spec, before any is added: the first bad one fails. */
export const checkInstances = (
  spec: ExperimentSpec,
  located: ReadonlyArray<LocatedInstance>,
): Effect.Effect<ReadonlyArray<TaskInstance>, InvalidInput> =>
  Effect.forEach(located, ({ instance, where }) =>
    Either.match(instantiate(spec, instance), {
      onLeft: (error) => Effect.fail(new InvalidInput({ message: describe(error, where) })),
      onRight: () => Effect.succeed(instance),
    }),
  )
