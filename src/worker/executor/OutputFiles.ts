/** Resolving an attempt's declared outputs to the files it actually produced. */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Effect } from "effect"
import { OutputFile } from "./TaskEvent.js"

export interface ResolvedOutputs {
  readonly outputs: ReadonlyArray<OutputFile>
  readonly missing: ReadonlyArray<string>
}

const NONE: ResolvedOutputs = { outputs: [], missing: [] }

/** Absolute path of a declared output, or undefined when the name points outside the attempt directory. */
export const outputPath = (dir: string, file: string): string | undefined => {
  const path = Path.resolve(dir, file)
  const relative = Path.relative(dir, path)
  return relative === "" || relative.startsWith("..") || Path.isAbsolute(relative) ? undefined : path
}

const sha256File = (path: string) =>
  Effect.async<string, Error>((resume) => {
    const hash = createHash("sha256")
    const input = createReadStream(path)
    input.on("data", (data) => hash.update(data))
    input.once("error", (error) => resume(Effect.fail(error)))
    input.once("end", () => resume(Effect.succeed(hash.digest("hex"))))
    return Effect.sync(() => input.destroy())
  })

const resolveOne = (dir: string, name: string, file: string) => {
  const path = outputPath(dir, file)
  if (path === undefined) return Effect.succeed(undefined)
  return Effect.tryPromise(() => Fs.stat(path)).pipe(
    Effect.flatMap((stat) =>
      stat.isFile()
        ? Effect.map(
            sha256File(path),
            (sha256) => new OutputFile({ name, path, size: stat.size, sha256 }, true),
          )
        : Effect.succeed(undefined),
    ),
    // Unreadable counts as missing: the caller decides whether a missing output fails the task.
    Effect.orElseSucceed(() => undefined),
  )
}

/**
 * Lists the declared outputs that exist as regular files inside `dir`, with size and SHA-256;
 * the others (absent, not a file, unreadable, or outside `dir`) are reported as missing.
 */
export const resolveOutputs = (
  dir: string,
  declared: Readonly<Record<string, string>>,
): Effect.Effect<ResolvedOutputs> => {
  const entries = Object.entries(declared)
  if (entries.length === 0) return Effect.succeed(NONE)
  return Effect.forEach(entries, ([name, file]) => resolveOne(dir, name, file), {
    concurrency: 4,
  }).pipe(
    Effect.map((found) => {
      const outputs = found.filter((file): file is OutputFile => file !== undefined)
      const present = new Set(outputs.map((file) => file.name))
      return { outputs, missing: Object.keys(declared).filter((name) => !present.has(name)) }
    }),
  )
}
