/** Parsing and validation of an experiment spec document, in either format, from its text. */
import { Effect, Either } from "effect"
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml"
import { DocumentReader } from "./DocumentReader.js"
import type { ExperimentSpec } from "./ExperimentSpec.js"
import { readApiSpec } from "./readApiSpec.js"
import { readYamlSpec } from "./readYamlSpec.js"
import { resolveGraph } from "./resolveGraph.js"
import { SpecInvalid, SpecIssue } from "./SpecError.js"

/**
 * Parses and validates a spec. JSON is read as YAML (it is a subset), so both formats get exact
 * positions. The API format is recognised by a top-level `commandTemplate` or `projectId`, or a list
 * under `parameters`; anything else is the YAML format. Every problem is collected before failing.
 */
export const parseSpec = (text: string, file: string): Either.Either<ExperimentSpec, SpecInvalid> => {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false })
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0])
      const message =
        e.code === "MULTIPLE_DOCS"
          ? "the file holds more than one YAML document"
          : (e.message.split("\n")[0] ?? e.message)
      return new SpecIssue({
        file,
        line,
        column: col,
        path: "",
        message,
        expected: "well-formed YAML or JSON",
      })
    })
    return Either.left(invalid(file, issues))
  }
  const reader = new DocumentReader(file, lines, doc)
  const root = reader.root
  if (!isMap(root)) {
    const found =
      root === null || (isScalar(root) && root.value === null) ? "an empty document" : "not a mapping"
    reader.report(
      root,
      "",
      `expected a mapping at the top level, found ${found}`,
      "a spec document (a mapping)",
    )
    return Either.left(invalid(file, reader.issues))
  }
  const isApi = root.items.some((pair) => {
    const key = isScalar(pair.key) ? pair.key.value : undefined
    return key === "commandTemplate" || key === "projectId" || (key === "parameters" && isSeq(pair.value))
  })
  const draft = isApi ? readApiSpec(reader) : readYamlSpec(reader)
  // The graph is checked even when some tasks had problems, so all errors are reported together.
  const spec = draft === undefined ? undefined : resolveGraph(reader, draft)
  return spec === undefined ? Either.left(invalid(file, reader.issues)) : Either.right(spec)
}

const invalid = (file: string, issues: ReadonlyArray<SpecIssue>): SpecInvalid => {
  const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column)
  const [first, ...rest] = sorted
  return new SpecInvalid({
    file,
    issues:
      first === undefined
        ? [
            new SpecIssue({
              file,
              line: 1,
              column: 1,
              path: "",
              message: "invalid spec",
              expected: "a valid spec",
            }),
          ]
        : [first, ...rest],
  })
}

/** Parses and validates a spec from its text; `file` names it in error locations. */
export const loadSpec = (text: string, file: string): Effect.Effect<ExperimentSpec, SpecInvalid> =>
  Effect.suspend(() => parseSpec(text, file)).pipe(Effect.withSpan("spec.load", { attributes: { file } }))
