/** Runs the built CLI (`node bin/airavata.mjs …`) as a user does and captures what it printed. */
import { fileURLToPath } from "node:url"
import { Command } from "@effect/platform"
import { expect } from "@effect/vitest"
import { Effect, Schema, Stream } from "effect"

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

/** Where experiment commands point, as flags (`--data-dir`), and the environment (`DATABASE_URL`). */
export interface Target {
  readonly flags: ReadonlyArray<string>
  readonly env: Record<string, string>
}

/** `airavata ARGS` against `target`. */
export const runOn = (target: Target, ...args: ReadonlyArray<string>) =>
  airavata([...args, ...target.flags], target.env)

/** Runs the command, expects exit code 0 and decodes its stdout as `schema`'s JSON. */
export const json = <A, I>(schema: Schema.Schema<A, I>, target: Target, ...args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const result = yield* runOn(target, ...args, "--output", "json")
    expect(result.stderr).toBe("")
    expect(result.exitCode).toBe(0)
    return yield* Schema.decodeUnknown(Schema.parseJson(schema))(result.stdout)
  })
