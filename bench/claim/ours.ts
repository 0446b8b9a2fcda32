/**
 * The Store's claim on PostgreSQL: `connections` fibers, one worker each, looping `claim(worker, k)`
 * (optionally reporting each batch COMPLETED with `reportMany`) until the experiment is drained.
 * Returns tasks per second.
 */
import { Effect } from "effect"
import { Store } from "../../src/ports/Store.js"
import { TaskReport } from "../../src/ports/StoreModel.js"
import { tenant, worker } from "../../test/integration/store/fixtures.js"
import { createNoopExperiment } from "./noopExperiment.js"

export interface OursRun {
  readonly tasks: number
  readonly batch: number
  readonly connections: number
  readonly complete: boolean
  readonly tag: string
}

export const ours = (run: OursRun) =>
  Effect.gen(function* () {
    const store = yield* Store
    // The same directory rows and workers as the Store's own tests.
    const owner = yield* tenant
    const workers = yield* Effect.forEach(Array.from({ length: run.connections }), () => worker(owner))
    const insertStarted = performance.now()
    yield* createNoopExperiment(store, owner, `bench-${run.tag}`, run.tasks)
    const insertSeconds = (performance.now() - insertStarted) / 1000

    const started = performance.now()
    const counts = yield* Effect.forEach(
      workers,
      (workerId) =>
        Effect.gen(function* () {
          let claimed = 0
          for (;;) {
            const batch = yield* store.claim(workerId, run.batch)
            if (batch.length === 0) return claimed
            claimed += batch.length
            if (run.complete) {
              yield* store.reportMany(
                batch.map((task) =>
                  // Built unvalidated: what is measured is the store, not the caller's construction.
                  TaskReport.make(
                    {
                      taskId: task.taskId,
                      attempt: task.attempt,
                      workerId,
                      status: "COMPLETED",
                      exitCode: 0,
                    },
                    true,
                  ),
                ),
              )
            }
          }
        }),
      { concurrency: "unbounded" },
    )
    const seconds = (performance.now() - started) / 1000
    const claimed = counts.reduce((a, b) => a + b, 0)
    return { claimed, perSecond: claimed / seconds, insertPerSecond: run.tasks / insertSeconds }
  })
