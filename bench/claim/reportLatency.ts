/**
 * Latency of one `reportMany` batch on an otherwise idle Store: `rounds` batches one after another,
 * each of tasks just claimed by one worker — 64 COMPLETED reports (64 tasks), then 32 tasks ×
 * [RUNNING, COMPLETED] (64 reports, the shape of quick tasks). Returns median and mean ms per
 * batch, without the first few batches (statements are prepared on first use).
 */
import { Effect } from "effect"
import { Store } from "../../src/ports/Store.js"
import { type ClaimedTask, TaskReport } from "../../src/ports/StoreModel.js"
import { tenant, worker } from "../../test/integration/store/fixtures.js"
import { createNoopExperiment } from "./noopExperiment.js"

const warmUp = 5

interface Shape {
  readonly name: string
  readonly tasks: number
  readonly reports: (task: ClaimedTask) => ReadonlyArray<TaskReport>
}

// Built unvalidated: what is measured is the store, not the caller's construction.
const reportOf = (task: ClaimedTask, status: "RUNNING" | "COMPLETED") =>
  TaskReport.make(
    {
      taskId: task.taskId,
      attempt: task.attempt,
      workerId: task.workerId,
      status,
      ...(status === "COMPLETED" ? { exitCode: 0 } : {}),
    },
    true,
  )

const shapes: ReadonlyArray<Shape> = [
  { name: "64 tasks × COMPLETED", tasks: 64, reports: (t) => [reportOf(t, "COMPLETED")] },
  {
    name: "32 tasks × RUNNING, COMPLETED",
    tasks: 32,
    reports: (t) => [reportOf(t, "RUNNING"), reportOf(t, "COMPLETED")],
  },
]

export interface LatencyRow {
  readonly name: string
  readonly medianMs: number
  readonly meanMs: number
}

export const reportLatency = (rounds: number) =>
  Effect.gen(function* () {
    const store = yield* Store
    const owner = yield* tenant
    const workerId = yield* worker(owner)
    const total = shapes.reduce((sum, shape) => sum + shape.tasks * (rounds + warmUp), 0)
    yield* createNoopExperiment(store, owner, "bench-report", total)
    const rows: Array<LatencyRow> = []
    for (const shape of shapes) {
      const times: Array<number> = []
      for (let round = 0; round < rounds + warmUp; round++) {
        const claimed = yield* store.claim(workerId, shape.tasks)
        if (claimed.length !== shape.tasks) return yield* Effect.dieMessage("ran out of tasks")
        const reports = claimed.flatMap(shape.reports)
        const started = performance.now()
        yield* store.reportMany(reports)
        if (round >= warmUp) times.push(performance.now() - started)
      }
      times.sort((a, b) => a - b)
      rows.push({
        name: shape.name,
        medianMs: times[Math.floor(times.length / 2)] ?? Number.NaN,
        meanMs: times.reduce((a, b) => a + b, 0) / times.length,
      })
    }
    return rows
  })
