/**
 * Pause and resume on live workers. Paused, an experiment's running tasks finish but none of its
 * queued ones starts — proven by a second experiment whose tasks run on the freed workers while the
 * paused one's stay queued (the paused one is older, so it would have been served first). Resumed,
 * the rest completes.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Store } from "../../../src/ports/Store.js"
import {
  awaitExperiment,
  countsOf,
  eventually,
  experimentOf,
  gatedSpec,
  openGate,
  startedIn,
  startReplica,
  startWorkers,
  submitYaml,
  tempDir,
} from "./harness.js"
import { runtimeDatabase } from "./RuntimeDatabase.js"

const TASKS = 6
const WORKERS = 2

const other = `
name: other
parameters:
  I:
    type: int
tasks:
  quick:
    handler: noop
    task_inputs:
      I: "1..4"
`

layer(runtimeDatabase(), { excludeTestServices: true, timeout: "120 seconds" })("pause and resume", (it) => {
  it.scoped(
    "after pause the running tasks finish and nothing new starts; resume completes the rest",
    () =>
      Effect.gen(function* () {
        const store = yield* Store
        const work = yield* tempDir("pause-work")
        const markers = yield* tempDir("pause-markers")
        const server = yield* startReplica()
        yield* startWorkers(WORKERS, { prefix: "pause", port: server.port, workingDir: work })
        const submitted = yield* submitYaml(gatedSpec(markers, "gated", TASKS))
        const id = submitted.experiment.id

        // One task per worker runs and waits at the gate.
        yield* eventually(
          "a task to run on every worker",
          Effect.zip(
            countsOf(id),
            Effect.sync(() => startedIn(markers).length),
          ),
          ([counts, n]) => counts.RUNNING === WORKERS && n === WORKERS,
        )
        const paused = yield* store.pauseExperiment(id)
        expect(paused.experiment.status).toBe("PAUSED")
        yield* openGate(markers)

        // The running tasks finish while paused.
        yield* eventually(
          "the running tasks to finish",
          countsOf(id),
          (c) => c.COMPLETED === WORKERS && c.RUNNING === 0,
        )
        // The workers are free and claiming: another experiment's tasks run to the end on them…
        const second = yield* submitYaml(other)
        yield* awaitExperiment(second.experiment.id, "COMPLETED")
        // …while the paused one, older and first in line, gave them nothing.
        const counts = yield* countsOf(id)
        expect([counts.COMPLETED, counts.QUEUED, counts.RUNNING, counts.DATA_STAGING]).toEqual([
          WORKERS,
          TASKS - WORKERS,
          0,
          0,
        ])
        expect(startedIn(markers)).toHaveLength(WORKERS)
        const stillPaused = yield* experimentOf(id)
        expect(stillPaused.experiment.status).toBe("PAUSED")
        expect(stillPaused.completedTasks).toBe(WORKERS)

        const resumed = yield* store.resumeExperiment(id)
        expect(resumed.experiment.status).toBe("EXECUTING")
        const done = yield* awaitExperiment(id, "COMPLETED")
        expect(done.completedTasks).toBe(TASKS)
        expect(startedIn(markers)).toHaveLength(TASKS)
        const final = yield* countsOf(id)
        expect(final.COMPLETED).toBe(TASKS)
      }),
    120_000,
  )
})
