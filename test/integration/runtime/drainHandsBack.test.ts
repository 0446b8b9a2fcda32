/**
 * A worker told to stop (SIGTERM: its runtime is interrupted) while it holds assignments it has not
 * started gives those back at once, refunded, for another worker; the task it is running finishes
 * and reports before it leaves. The worker runtime runs in this process against a real replica.
 */
import { assert, expect, layer } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { WorkerId } from "../../../src/domain/Ids.js"
import {
  countsOf,
  eventually,
  gatedSpec,
  inProcessWorker,
  openGate,
  startedIn,
  startReplica,
  submitYaml,
  taskDetail,
  tasksOf,
  tempDir,
} from "./harness.js"
import { runtimeDatabase } from "./RuntimeDatabase.js"

layer(runtimeDatabase(), { excludeTestServices: true, timeout: "120 seconds" })("worker drain", (it) => {
  it.scoped("hands back what it has not started at once and finishes what it runs", () =>
    Effect.gen(function* () {
      const work = yield* tempDir("drain-work")
      const markers = yield* tempDir("drain-markers")
      const server = yield* startReplica()
      const workerId = WorkerId.make("drain-1")
      // Three gated tasks, one retry each. One slot and two held beyond it: all three are this
      // worker's, one running.
      const worker = yield* inProcessWorker(server.port, workerId, work, {
        prefetch: 2,
        drainTimeout: "60 seconds",
      })

      const submitted = yield* submitYaml(gatedSpec(markers, "drained", 3, 1))
      const id = submitted.experiment.id
      yield* eventually(
        "one task to run and two to wait on the worker",
        Effect.zip(
          countsOf(id),
          Effect.sync(() => startedIn(markers).length),
        ),
        ([c, n]) => c.RUNNING === 1 && c.DATA_STAGING === 2 && n === 1,
      )

      // SIGTERM: the drain waits for the running task, so the interruption runs on its own fiber.
      const stopping = yield* Fiber.interrupt(worker).pipe(Effect.forkScoped)
      const counts = yield* eventually(
        "the waiting tasks to be back in the queue",
        countsOf(id),
        (c) => c.QUEUED === 2,
        "10 seconds",
      )
      expect([counts.RUNNING, counts.DATA_STAGING]).toEqual([1, 0])
      const tasks = yield* tasksOf(id)
      const back = yield* Effect.forEach(
        tasks.filter((t) => t.status === "QUEUED"),
        (t) => taskDetail(t.id),
      )
      for (const detail of back) {
        expect(detail.attempts.map((a) => [a.attempt, a.workerId, a.status, a.error])).toEqual([
          [1, workerId, "QUEUED", "handed back unstarted"],
        ])
      }
      expect(startedIn(markers)).toHaveLength(1)

      // The running task is let through; it reports before the worker is gone.
      yield* openGate(markers)
      yield* Fiber.join(stopping)
      const after = yield* countsOf(id)
      expect([after.COMPLETED, after.QUEUED]).toEqual([1, 2])
      const done = tasks.find((t) => !back.some((b) => b.task.id === t.id))
      assert(done !== undefined)
      expect((yield* taskDetail(done.id)).task.status).toBe("COMPLETED")
    }),
  )
})
