/**
 * What `Scheduler.submit` accepts: a validated spec, a document's text, or a file to read. Text and
 * files go through the spec language (`loadSpec`), so every problem is located in the document.
 */
import * as Fs from "node:fs/promises"
import { Effect } from "effect"
import { ExperimentSpec, loadSpec, SpecInvalid, SpecIssue } from "../domain/spec/index.js"

/** A spec to submit. `file` names the text in error locations. */
export type SpecSource =
  | ExperimentSpec
  | { readonly text: string; readonly file: string }
  | { readonly path: string }

const unreadable = (path: string, error: unknown): SpecInvalid => {
  const reason = error instanceof Error ? error.message : String(error)
  const issue = new SpecIssue({
    file: path,
    line: 0,
    column: 0,
    path: "",
    message: `cannot read the spec file (${reason})`,
    expected: "a readable spec file",
  })
  return new SpecInvalid({ file: path, issues: [issue] })
}

/** The validated spec of `source`; an unreadable file is reported like a spec problem, at 0:0. */
export const resolveSpec = (source: SpecSource): Effect.Effect<ExperimentSpec, SpecInvalid> => {
  if (source instanceof ExperimentSpec) return Effect.succeed(source)
  if ("path" in source) {
    const path = source.path
    return Effect.tryPromise({
      try: () => Fs.readFile(path, "utf8"),
      catch: (error) => unreadable(path, error),
    }).pipe(Effect.flatMap((text) => loadSpec(text, path)))
  }
  return loadSpec(source.text, source.file)
}
