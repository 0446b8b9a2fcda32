/**
 * createExperiment of a huge sweep (1,000,000 tasks on PostgreSQL) stays within a bounded heap:
 * the expansion streams through in batches and nothing keeps what was written. Measured as
 * heapUsed growth after forced garbage collections at intervals during the insert (not as time).
 */
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { expect, layer } from "@effect/vitest"
import { Effect, type Layer, Stream } from "effect"
import { ExpandedTask } from "../../../src/domain/spec/ExpandedTask.js"
import { Store } from "../../../src/ports/Store.js"
import { submit, task, tenant } from "./fixtures.js"

/** Node's gc(), enabled at run time: vitest's workers are not started with --expose-gc. */
const collectGarbage = (): (() => void) => {
  setFlagsFromString("--expose-gc")
  const gc: unknown = runInNewContext("gc")
  if (typeof gc !== "function") throw new Error("gc() is not available")
  return () => {
    gc()
  }
}

const sampleEvery = 50_000
/** A million tasks kept in memory would take on the order of a gigabyte. */
const heapBudget = 128 * 1024 * 1024

export const bulkInsertSuite = <E>(
  engine: string,
  store: Layer.Layer<Store, E>,
  total: number,
  timeout: number,
) =>
  layer(store, { timeout: "120 seconds" })(`Store on ${engine}`, (it) => {
    it.effect(
      `a ${total.toLocaleString("en")}-task experiment inserts within a bounded heap`,
      () =>
        Effect.gen(function* () {
          const gc = collectGarbage()
          const owner = yield* tenant
          const prototype = task("sweep", 0)
          gc()
          const baseline = process.memoryUsage().heapUsed
          const growth: Array<number> = []
          const tasks = Stream.range(0, total - 1).pipe(
            // Built without re-validation: what is measured is the store, not the generator.
            Stream.map(
              (index) =>
                new ExpandedTask(
                  { ...prototype, key: `sweep[${index}]`, index, inputs: { index: String(index) } },
                  true,
                ),
            ),
            Stream.tap((t) =>
              t.index % sampleEvery === 0
                ? Effect.sync(() => {
                    gc()
                    growth.push(process.memoryUsage().heapUsed - baseline)
                  })
                : Effect.void,
            ),
          )
          const summary = yield* submit(owner, { total, counts: [{ name: "sweep", count: total }], tasks })
          gc()
          growth.push(process.memoryUsage().heapUsed - baseline)
          expect(summary.experiment.totalTasks).toBe(total)
          const counts = yield* (yield* Store).countTasks(summary.experiment.id)
          expect(counts.QUEUED).toBe(total)
          const peak = Math.max(...growth)
          console.log(
            `${engine}: heapUsed growth per ${sampleEvery} tasks (MB): ${growth.map((g) => (g / 2 ** 20).toFixed(1)).join(" ")}`,
          )
          expect(growth.length).toBe(total / sampleEvery + 1)
          expect(peak).toBeLessThan(heapBudget)
        }),
      timeout,
    )
  })
