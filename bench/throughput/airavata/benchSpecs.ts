/**
 * The experiment specs the airavata systems submit, written in the YAML spec language a user
 * would write: a sweep of `count` no-op tasks (one experiment), or one task carrying `t`.
 */
import { Effect, Either } from "effect"
import { type ExperimentSpec, parseSpec } from "../../../src/domain/spec/index.js"
import { SystemFailed } from "../BenchErrors.js"
import { handlerName, submitTimeInput } from "./workerContract.js"

/** What a benchmark task runs: the in-process `bench` handler, or the shell no-op `true`. */
export type TaskKind = "handler" | "shell"

/** The specs' one task. */
export const benchTask = "bench"

// No retries: a failed task must show up as a failure, not as a silent second run.
const task = (kind: TaskKind, inputs: string) =>
  [
    "tasks:",
    `  ${benchTask}:`,
    kind === "handler" ? `    handler: ${handlerName}` : `    command: "true"`,
    "    retries: 0",
    "    task_inputs:",
    `      ${inputs}`,
  ].join("\n")

const parse = (system: string, text: string) =>
  Either.match(parseSpec(text, "bench.yaml"), {
    onLeft: (e) => Effect.fail(new SystemFailed({ system, operation: "spec", reason: e.message })),
    onRight: (spec): Effect.Effect<ExperimentSpec, SystemFailed> => Effect.succeed(spec),
  })

/** One experiment of `count` tasks: a sweep `I: "1..count"`. */
export const sweepSpec = (system: string, kind: TaskKind, count: number) =>
  parse(system, `name: bench-sweep\n${task(kind, `I: "1..${count}"`)}\n`)

/** One experiment of one task whose input `t` is `t`. */
export const timedSpec = (system: string, kind: TaskKind, t: number) =>
  parse(system, `name: bench-latency\n${task(kind, `${submitTimeInput}: "${t}"`)}\n`)
