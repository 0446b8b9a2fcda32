/**
 * The throughput/latency harness: runs the named systems through the workloads of BENCHMARKS.md
 * and prints one table plus ratios to a baseline. Figures only: it asserts nothing about speed.
 *
 *   npx vite-node bench/throughput/harness.ts -- [--systems a,b] [--baseline a] [--runs 3] ...
 */
import { Command, Options } from "@effect/cli"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Option } from "effect"
import { type BenchError, SystemFailed } from "./BenchErrors.js"
import { renderReport, type SystemResults } from "./report.js"
import type { System } from "./System.js"
import { systems } from "./systems.js"
import { latency, throughput } from "./workloads.js"

const options = {
  systems: Options.text("systems").pipe(
    Options.withDefault(systems.map((s) => s.name).join(",")),
    Options.withDescription("comma-separated system names, in table order"),
  ),
  baseline: Options.text("baseline").pipe(
    Options.optional,
    Options.withDescription("system the ratios divide by (default: the first one)"),
  ),
  runs: Options.integer("runs").pipe(
    Options.withDefault(3),
    Options.withDescription("throughput runs per system"),
  ),
  jobs: Options.integer("jobs").pipe(Options.withDefault(20_000)),
  batch: Options.integer("batch").pipe(
    Options.withDefault(1_000),
    Options.withDescription("jobs per enqueue call"),
  ),
  latencyRuns: Options.integer("latency-runs").pipe(Options.withDefault(1)),
  latencyJobs: Options.integer("latency-jobs").pipe(Options.withDefault(500)),
  latencyRate: Options.integer("latency-rate").pipe(
    Options.withDefault(50),
    Options.withDescription("jobs/s"),
  ),
}

const select = (names: string) =>
  Effect.forEach(
    names.split(",").filter((n) => n.length > 0),
    (name) => {
      const system = systems.find((s) => s.name === name)
      return system === undefined
        ? Effect.fail(
            new SystemFailed({
              system: name,
              operation: "select",
              reason: `unknown system; known: ${systems.map((s) => s.name).join(", ")}`,
            }),
          )
        : Effect.succeed(system)
    },
  )

// Rounds interleave the systems so that the machine's noise falls on all of them alike.
const measure = <A>(
  label: string,
  runs: number,
  chosen: ReadonlyArray<System>,
  once: (system: System) => Effect.Effect<A, BenchError, CommandExecutor>,
  show: (result: A) => string,
) =>
  Effect.map(
    Effect.forEach(
      Array.from({ length: runs }, (_, i) => i + 1),
      (round) =>
        Effect.forEach(chosen, (system) =>
          Effect.tap(once(system), (r) =>
            Console.log(`${label} ${round}/${runs} ${system.name}: ${show(r)}`),
          ),
        ),
    ),
    (byRound) => chosen.map((_, i) => byRound.flatMap((row) => row.slice(i, i + 1))),
  )

const command = Command.make("bench-throughput", options, (o) =>
  Effect.gen(function* () {
    const chosen = yield* select(o.systems)
    const throughputs = yield* measure(
      "throughput",
      o.runs,
      chosen,
      (s) => throughput(s, o.jobs, o.batch),
      (r) => `enqueue ${Math.round(r.enqueuePerSecond)}/s, process ${Math.round(r.processPerSecond)}/s`,
    )
    const latencies = yield* measure(
      "latency",
      o.latencyRuns,
      chosen,
      (s) => latency(s, o.latencyJobs, o.latencyRate),
      (r) => `p50 ${r.p50}, p95 ${r.p95}, p99 ${r.p99} ms`,
    )
    const rows: Array<SystemResults> = chosen.map((s, i) => ({
      name: s.name,
      throughput: throughputs[i] ?? [],
      latency: latencies[i] ?? [],
    }))
    const baseline = Option.getOrElse(o.baseline, () => chosen[0]?.name ?? "")
    yield* Console.log(`\n${renderReport(rows, baseline)}`)
  }),
)

Command.run(command, { name: "bench-throughput", version: "0.1.0" })(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain,
)
