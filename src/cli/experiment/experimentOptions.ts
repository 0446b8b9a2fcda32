/** Arguments and flags shared by the `airavata experiment …` commands. */
import { Args, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Stream } from "effect"
import { ExperimentId } from "../../domain/Ids.js"
import { ExperimentStatus, TaskStatus } from "../../domain/Status.js"
import { writeStdout } from "../writeStdout.js"

export const experimentId = Args.text({ name: "ID" }).pipe(
  Args.withSchema(ExperimentId),
  Args.withDescription("Experiment id (exp_…), as printed by `airavata submit` or `experiment list`"),
)

export const output = Options.choice("output", ["table", "json"]).pipe(
  Options.withDefault("table"),
  Options.withDescription("table: aligned text; json: one JSON document"),
)
export type Output = "table" | "json"

export const experimentStatus = Options.choice("status", ExperimentStatus.literals).pipe(
  Options.optional,
  Options.withDescription("Only experiments in this status"),
)

export const taskStatus = Options.choice("status", TaskStatus.literals).pipe(
  Options.optional,
  Options.withDescription("Only tasks in this status"),
)

/** `--limit N` with a default; a value outside [1, max] is a usage error (exit code 2). */
export const limit = (fallback: number, max: number, description: string) =>
  Options.integer("limit").pipe(
    Options.withDefault(fallback),
    Options.mapEffect((n) =>
      n >= 1 && n <= max
        ? Effect.succeed(n)
        : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--limit: expected 1 to ${max}, got ${n}`))),
    ),
    Options.withDescription(description),
  )

/** Prints text to stdout; a reader closing the pipe early is not a failure (see exitCode). */
export const print = (text: string) => writeStdout(Stream.make(text))

/** Prints one JSON document. */
export const printJson = (value: unknown) => print(`${JSON.stringify(value, null, 2)}\n`)
