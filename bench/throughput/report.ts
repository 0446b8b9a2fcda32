/** Renders the harness results as one markdown table plus ratios against a baseline system. */
import { median, minimum } from "./stats.js"
import type { LatencyResult, ThroughputResult } from "./workloads.js"

/** Everything measured for one system. */
export interface SystemResults {
  readonly name: string
  readonly throughput: ReadonlyArray<ThroughputResult>
  readonly latency: ReadonlyArray<LatencyResult>
}

const count = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–")
const ms = (n: number): string => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : "–")
const ratio = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "–")

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n")

const enqueueRates = (r: SystemResults) => r.throughput.map((t) => t.enqueuePerSecond)
const processRates = (r: SystemResults) => r.throughput.map((t) => t.processPerSecond)
// Latency percentiles across latency runs: the median run's value for each percentile.
const latencyOf = (r: SystemResults, p: "p50" | "p95" | "p99") => median(r.latency.map((l) => l[p]))

/** The results table (min / median over runs) and, for every other system, ratios to `baseline`. */
export const renderReport = (results: ReadonlyArray<SystemResults>, baseline: string): string => {
  const main = table(
    ["system", "runs", "enqueue jobs/s min / med", "process jobs/s min / med", "latency p50 / p95 / p99 ms"],
    results.map((r) => [
      r.name,
      String(r.throughput.length),
      `${count(minimum(enqueueRates(r)))} / ${count(median(enqueueRates(r)))}`,
      `${count(minimum(processRates(r)))} / ${count(median(processRates(r)))}`,
      `${ms(latencyOf(r, "p50"))} / ${ms(latencyOf(r, "p95"))} / ${ms(latencyOf(r, "p99"))}`,
    ]),
  )
  const base = results.find((r) => r.name === baseline)
  if (base === undefined) return main
  const ratios = table(
    ["system", "enqueue", "process", "latency p50", "latency p99"],
    results
      .filter((r) => r !== base)
      .map((r) => [
        r.name,
        ratio(median(enqueueRates(r)) / median(enqueueRates(base))),
        ratio(median(processRates(r)) / median(processRates(base))),
        ratio(latencyOf(r, "p50") / latencyOf(base, "p50")),
        ratio(latencyOf(r, "p99") / latencyOf(base, "p99")),
      ]),
  )
  return `${main}\n\nRatios to ${baseline} (medians, system ÷ baseline: higher is better for rates, lower for latency)\n${ratios}`
}
