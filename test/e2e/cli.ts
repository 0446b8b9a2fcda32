/** Runs the built CLI (`node bin/airavata.mjs …`) as a user does and captures what it printed. */
import { fileURLToPath } from "node:url"
import { Command } from "@effect/platform"
import { Effect, Stream } from "effect"

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url))

const text = <E>(stream: Stream.Stream<Uint8Array, E>) => stream.pipe(Stream.decodeText(), Stream.mkString)

export const airavata = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function* () {
    const child = yield* Command.start(
      Command.make("node", "bin/airavata.mjs", ...args).pipe(
        Command.workingDirectory(projectRoot),
        Command.env({ ...env }),
      ),
    )
    const [stdout, stderr, exitCode] = yield* Effect.all(
      [text(child.stdout), text(child.stderr), child.exitCode],
      {
        concurrency: "unbounded",
      },
    )
    return { stdout, stderr, exitCode: Number(exitCode) }
  }).pipe(Effect.scoped)
