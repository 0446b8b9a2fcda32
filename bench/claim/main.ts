/**
 * Claim throughput of the Store on PostgreSQL next to the raw SKIP LOCKED floor, measured in the
 * same run on the same server: batch 1 and batch 32, 16 connections, claim only and claim +
 * complete. Prints tasks/s and our/floor ratios, then the latency of one reportMany batch of 64
 * reports. Run: `npx vite-node bench/claim/main.ts` (options: --tasks N for batch 1, --tasks32 N
 * for batch 32, --connections N, --rounds N report batches per latency row, --latency-only).
 */
import { Effect } from "effect"
import { StoreLive } from "../../src/layers/store/StoreLive.js"
import { numberOption } from "../argv.js"
import { runScript } from "../runScript.js"
import { scratchDatabase } from "./database.js"
import { floor } from "./floor.js"
import { ours } from "./ours.js"
import { reportLatency } from "./reportLatency.js"

const connections = numberOption("connections", 16) || 16
const sizes: Record<number, number> = {
  1: numberOption("tasks", 20_000),
  32: numberOption("tasks32", 200_000),
}
const rounds = numberOption("rounds", 200) || 200
const latencyOnly = process.argv.includes("--latency-only")

const program = Effect.gen(function* () {
  const rows: Array<string> = []
  for (const batch of latencyOnly ? [] : [1, 32]) {
    const tasks = sizes[batch] ?? 20_000
    for (const complete of [false, true]) {
      const tag = `${batch}-${complete ? "c" : "o"}`
      // A fresh database per measurement: dead tuples of one run never slow the next.
      const [mine, raw] = yield* Effect.scoped(
        Effect.gen(function* () {
          const { url } = yield* scratchDatabase
          const store = StoreLive.postgres({ url, maxConnections: connections })
          const mine = yield* Effect.scoped(
            Effect.provide(ours({ tasks, batch, connections, complete, tag }), store),
          )
          const raw = yield* floor({ url, jobs: tasks, batch, connections, markDone: complete })
          return [mine, raw] as const
        }),
      )
      const what = complete ? "claim + complete" : "claim only"
      rows.push(
        `batch ${String(batch).padStart(2)}  ${what.padEnd(16)}  ours ${Math.round(mine.perSecond).toString().padStart(6)}/s` +
          `  floor ${Math.round(raw.perSecond).toString().padStart(6)}/s  ratio ${(mine.perSecond / raw.perSecond).toFixed(2)}` +
          `  (${mine.claimed} tasks; insert ${Math.round(mine.insertPerSecond)}/s)`,
      )
      console.log(rows.at(-1))
    }
  }
  const latency = yield* Effect.scoped(
    Effect.flatMap(scratchDatabase, ({ url }) =>
      Effect.provide(reportLatency(rounds), StoreLive.postgres({ url, maxConnections: connections })),
    ),
  )
  for (const row of latency) {
    rows.push(
      `reportMany ${row.name.padEnd(30)}  median ${row.medianMs.toFixed(2)} ms  mean ${row.meanMs.toFixed(2)} ms` +
        `  (${rounds} batches, one after another)`,
    )
    console.log(rows.at(-1))
  }
  console.log(`\n${connections} connections, PostgreSQL at 127.0.0.1:5432`)
  for (const row of rows) console.log(row)
})

runScript(program)
