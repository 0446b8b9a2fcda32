/** The default local pilot command: this Node binary running this package's `airavata` bin. */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Either, Option, Schema } from "effect"

/** A command line: the executable, then its leading arguments; the worker flags are appended. */
export type PilotCommand = readonly [string, ...ReadonlyArray<string>]

/** The package whose bin runs `airavata worker`. */
export const PACKAGE_NAME = "airavata-scheduler"

const PackageJson = Schema.parseJson(Schema.Struct({ name: Schema.String }))
const decodePackageJson = Schema.decodeUnknownEither(PackageJson)

/** The package root is looked up by name, so the answer is the same from src/ (vitest) and dist/. */
const isPackageRoot = (dir: string): boolean => {
  const file = Path.join(dir, "package.json")
  if (!Fs.existsSync(file)) return false
  const parsed = decodePackageJson(Fs.readFileSync(file, "utf8"))
  return Either.isRight(parsed) && parsed.right.name === PACKAGE_NAME
}

/**
 * The directory of the airavata-scheduler package that holds `from` (a file URL or path; default:
 * this module). None when the code runs outside such a package (bundled into an application).
 */
export const packageRoot = (from: string = import.meta.url): Effect.Effect<Option.Option<string>> =>
  Effect.sync(() => {
    const start = Path.dirname(from.startsWith("file:") ? fileURLToPath(from) : from)
    for (let dir = start; ; dir = Path.dirname(dir)) {
      if (isPackageRoot(dir)) return Option.some(dir)
      if (Path.dirname(dir) === dir) return Option.none()
    }
  })

/** `[node, <package root>/bin/airavata.mjs, "worker"]`; None outside the package. */
export const defaultPilotCommand: Effect.Effect<Option.Option<PilotCommand>> = Effect.map(
  packageRoot(),
  Option.map((root): PilotCommand => [process.execPath, Path.join(root, "bin", "airavata.mjs"), "worker"]),
)
