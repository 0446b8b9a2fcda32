/**
 * The task instances `experiment add` is given: one from TASK and its `--input NAME=VALUE` flags,
 * or many from a JSON-lines file (`--inputs-file`). Each keeps where it came from, so that a bad one
 * is reported there: the flag, or the file's line.
 */
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Effect, Either, ParseResult, Predicate, Schema } from "effect"
import type { InvalidInput as SpecInputInvalid } from "../../domain/Errors.js"
import type { ExpandedTask, ExperimentSpec, TaskInstance } from "../../domain/spec/index.js"
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
).annotations({ message: () => ({ message: "expected a string, number or boolean", override: true }) })
const Inputs = Schema.Record({ key: Schema.String, value: InputValue })

// Strict, so that a misspelt field is reported rather than ignored.
const Wrapped = Schema.Struct({ task: Schema.optional(Schema.String), inputs: Inputs }).annotations({
  parseOptions: { onExcessProperty: "error" },
})

/**
 * A line: `{"task"?: …, "inputs": {…}}` (an object whose `inputs` is an object), or the inputs
 * object alone. The form is chosen first, so that a bad line is told what is wrong in its form.
 */
const decodeLine = (text: string): Either.Either<typeof Wrapped.Type, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(`not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const wrapped = Predicate.isRecord(json) && Predicate.isRecord(json.inputs)
  return wrapped
    ? Either.mapLeft(Schema.decodeUnknownEither(Wrapped)(json), firstIssue)
    : Either.mapBoth(Schema.decodeUnknownEither(Inputs)(json), {
        onLeft: firstIssue,
        onRight: (inputs) => ({ inputs }),
      })
}

const LINE_EXPECTED = `{"task": "TASK", "inputs": {"NAME": "VALUE", …}} or {"NAME": "VALUE", …}`

const firstIssue = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return error.message
  return issue.path.length === 0 ? `expected ${LINE_EXPECTED}` : `${issue.path.join(".")}: ${issue.message}`
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
      Effect.mapError((error) => {
        const reason = error._tag === "SystemError" ? error.reason : error._tag
        const detail = error.description ?? error.message
        return new InvalidInput({ message: `--inputs-file: cannot read ${file} (${reason}: ${detail})` })
      }),
    )
    const located: Array<LocatedInstance> = []
    for (const [n, raw] of text.split(/\r?\n/).entries()) {
      if (raw.trim() === "") continue
      const at = (path: string) => `${file}:${n + 1}${path === "" ? "" : `: ${path}`}`
      const line = decodeLine(raw)
      if (Either.isLeft(line)) return yield* new InvalidInput({ message: `${at("")}: ${line.left}` })
      const { task, inputs } = line.right
      const name = task ?? defaultTask
      if (name === undefined) {
        return yield* new InvalidInput({
          message: `${at("")}: no "task", and no TASK argument to default to`,
        })
      }
      located.push({ instance: { task: name, inputs }, where: at })
    }
    if (located.length === 0)
      return yield* new InvalidInput({ message: `--inputs-file: ${file} has no lines` })
    return located
  })

// instantiate's paths are `tasks[n].task` and `tasks[n].inputs.X`; `n` means nothing to the user.
const explain = (error: SpecInputInvalid, where: (path: string) => string): string =>
  `${where(error.path.replace(/^tasks\[\d+\]\.?/, ""))}: expected ${error.expected}${
    error.actual === undefined ? "" : `, got ${error.actual}`
  }`

/** Every instance made from the spec before any is added, so the first bad one fails with nothing written. */
export const instantiateAll = (
  spec: ExperimentSpec,
  located: ReadonlyArray<LocatedInstance>,
): Effect.Effect<ReadonlyArray<ExpandedTask>, InvalidInput> =>
  Effect.forEach(located, ({ instance, where }) =>
    Effect.mapError(
      instantiate(spec, instance),
      (error) => new InvalidInput({ message: explain(error, where) }),
    ),
  )
