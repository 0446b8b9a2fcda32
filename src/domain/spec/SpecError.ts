/** Errors of the spec language: every problem found in a document, located and explained. */
import { Schema } from "effect"

/** One problem in a spec document, at a 1-based line and column, with its path in the document. */
export class SpecIssue extends Schema.Class<SpecIssue>("SpecIssue")({
  file: Schema.String,
  line: Schema.Int.pipe(Schema.nonNegative()),
  column: Schema.Int.pipe(Schema.nonNegative()),
  /** Dotted path in the document, e.g. `tasks.task2.task_inputs.INPUT_FILE`; "" for the whole document. */
  path: Schema.String,
  message: Schema.String,
  /** What would have been accepted at this place. */
  expected: Schema.String,
}) {}

/** `file:line:col: path: message (expected …)`, the form editors and CI logs link to. */
export const formatIssue = (issue: SpecIssue): string =>
  `${issue.file}:${issue.line}:${issue.column}: ${issue.path === "" ? "(document)" : issue.path}: ` +
  `${issue.message} (expected ${issue.expected})`

/** A spec document is invalid; `issues` lists every problem found, in document order. Nothing was produced. */
export class SpecInvalid extends Schema.TaggedError<SpecInvalid>()("SpecInvalid", {
  file: Schema.String,
  issues: Schema.NonEmptyArray(SpecIssue),
}) {
  readonly code = "SPEC_INVALID"
  override get message() {
    const count = this.issues.length
    return `${this.file}: ${count} problem${count === 1 ? "" : "s"}\n${this.issues.map(formatIssue).join("\n")}`
  }
}
