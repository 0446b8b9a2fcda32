/** Reads a spec file from disk and validates it; an unreadable file is reported like a spec problem. */
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { type ExperimentSpec, loadSpec, SpecInvalid, SpecIssue } from "../../domain/spec/index.js"

/** The spec in `file`, or SpecInvalid naming every problem (a missing file is one, at 0:0). */
export const readSpecFile = (
  file: string,
): Effect.Effect<ExperimentSpec, SpecInvalid, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((error) => {
        const reason = error._tag === "SystemError" ? error.reason : error._tag
        const message = `cannot read the spec file (${reason}: ${error.description ?? error.message})`
        const issue = new SpecIssue({
          file,
          line: 0,
          column: 0,
          path: "",
          message,
          expected: "a readable spec file",
        })
        return new SpecInvalid({ file, issues: [issue] })
      }),
    )
    return yield* loadSpec(text, file)
  })
