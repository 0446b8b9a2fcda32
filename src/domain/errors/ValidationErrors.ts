/** Input that failed validation, reported by where it is and what was expected. */
import { ParseResult, Schema } from "effect"

/** Input at `path` (in `source`, when it came from a file) is not what was expected. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  /** Location in the document, e.g. "tasks[2].resources.walltime"; "" for the document itself. */
  path: Schema.String,
  expected: Schema.String,
  actual: Schema.optional(Schema.String),
  /** File or request the input came from. */
  source: Schema.optional(Schema.String),
}) {
  readonly code = "INVALID_INPUT"
  override get message() {
    const file = this.source === undefined ? "" : `${this.source}: `
    const at = this.path === "" ? "(document)" : this.path
    const got = this.actual === undefined ? "" : `, got ${this.actual}`
    return `${file}${at}: ${this.expected}${got}`
  }
}

/** ["tasks", 2, "walltime"] → "tasks[2].walltime". */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("")

/** The first issue of a Schema decode failure as an InvalidInput, so a boundary reports one precise error. */
export const invalidInputFromParseError = (error: ParseResult.ParseError, source?: string): InvalidInput => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  return new InvalidInput({
    path: issue === undefined ? "" : formatPath(issue.path),
    expected: issue === undefined ? error.message : issue.message,
    ...(source === undefined ? {} : { source }),
  })
}
