/**
 * The worker's default `--prefetch auto` on a real replica: for tasks far shorter than a claim's
 * round trip, a one-slot worker comes to hold more than its slot, and the sweep still completes
 * with every task run once; when the tasks turn long, it gives back what it holds unstarted. The
 * worker runtime runs in this process.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { WorkerId } from "../../../src/domain/Ids.js"
import {
  awaitExperiment,
  countsOf,
  eventually,
  inProcessWorker,
  startReplica,
  submitYaml,
  taskDetail,
  tasksOf,
  tempDir,
} from "./harness.js"
import { runtimeDatabase } from "./RuntimeDatabase.js"

const TASKS = 3000

const sweep = `
name: tiny
parameters:
  I:
    type: int
tasks:
  nothing:
    handler: noop
    task_inputs:
      I: "1..${TASKS}"
`

layer(runtimeDatabase(), { excludeTestServices: true, timeout: "120 seconds" })("prefetch auto", (it) => {
  it.scoped("a one-slot worker holds well beyond its slot for no-op tasks and runs each once", () =>
    Effect.gen(function* () {
      const work = yield* tempDir("prefetch-work")
      const server = yield* startReplica()
      const workerId = WorkerId.make("prefetch-1")
      const submitted = yield* submitYaml(sweep)
      const id = submitted.experiment.id
      yield* inProcessWorker(server.port, workerId, work)

      // Leased = assigned to the worker and not yet reported done. Without prefetch that is its one
      // slot, plus a finished task or two whose reports are still on their way; with the window
      // (up to 64 for one slot) it is far more.
      yield* eventually(
        "the worker to hold well beyond its slot",
        countsOf(id),
        (c) => c.DATA_STAGING + c.ENV_SETUP + c.RUNNING > 10 || c.COMPLETED === TASKS,
        "60 seconds",
      ).pipe(
        Effect.tap((c) =>
          Effect.sync(() => expect(c.DATA_STAGING + c.ENV_SETUP + c.RUNNING).toBeGreaterThan(10)),
        ),
      )
      yield* awaitExperiment(id, "COMPLETED", "90 seconds")
      expect((yield* countsOf(id)).COMPLETED).toBe(TASKS)
      // Ran once each: a task on a later attempt (given back when a slow moment shrank the window)
      // has only handed-back attempts before it.
      const tasks = yield* tasksOf(id) // the first 1,000
      const later = yield* Effect.forEach(
        tasks.filter((t) => t.attempt > 1),
        (t) => taskDetail(t.id),
      )
      for (const d of later) {
        expect(
          d.attempts.map((a) => a.status === "COMPLETED" || a.error === "handed back unstarted"),
        ).not.toContain(false)
        expect(d.attempts.filter((a) => a.status === "COMPLETED")).toHaveLength(1)
      }
    }),
  )
  it.scoped("when the tasks turn long, the worker hands back what it holds unstarted", () =>
    Effect.gen(function* () {
      const work = yield* tempDir("prefetch-long-work")
      const server = yield* startReplica()
      const workerId = WorkerId.make("prefetch-2")
      // 300 no-op tasks grow the window; then 6 tasks of 500 ms become ready at once, and the
      // worker, sized for no-ops, takes all six.
      const submitted = yield* submitYaml(`
name: phases
parameters:
  I:
    type: int
  ms:
    type: int
tasks:
  tiny:
    handler: noop
    task_inputs:
      I: "1..300"
  slow:
    handler: sleep
    depends_on: [tiny]
    task_inputs:
      I: "1..6"
      ms: 500
`)
      const id = submitted.experiment.id
      yield* inProcessWorker(server.port, workerId, work)

      yield* awaitExperiment(id, "COMPLETED", "60 seconds")
      const slow = (yield* tasksOf(id)).filter((t) => t.name === "slow")
      const histories = yield* Effect.forEach(slow, (t) => taskDetail(t.id))
      // The first slow one ran where it was; once it had taken 500 ms, the waiting ones went back
      // unstarted (refunded) and each ran later, on attempt 2, as the worker could take it.
      const handedBack = histories.filter((d) =>
        d.attempts.some((a) => a.status === "QUEUED" && a.error === "handed back unstarted"),
      )
      // All five when a round trip is under 25 ms; at least two unless it is over 50 ms.
      expect(handedBack.length).toBeGreaterThanOrEqual(2)
      for (const d of histories) {
        expect(d.task.status).toBe("COMPLETED")
        expect(d.attempts.filter((a) => a.status === "COMPLETED")).toHaveLength(1)
      }
    }),
  )
})
