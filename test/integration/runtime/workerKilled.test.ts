/**
 * A worker process killed with SIGKILL mid-task: the kernel closes its socket, the scheduler sees
 * the stream end and requeues the task at once (no waiting for the 30 s lease), and another worker
 * completes it as attempt 2.
 */
import { assert, expect, layer } from "@effect/vitest"
import { Clock, Effect } from "effect"
import {
  awaitExperiment,
  eventually,
  killScriptsOnExit,
  killWorker,
  pidsIn,
  startReplica,
  startWorkers,
  submitYaml,
  taskDetail,
  tasksOf,
  tempDir,
} from "./harness.js"
import { runtimeDatabase } from "./RuntimeDatabase.js"

/** Attempt 1 writes its pid and sleeps (long enough to be killed mid-task); later attempts finish at once. */
const spec = (markers: string) => `
name: killed-worker
tasks:
  work:
    command: |
      echo $$ > "${markers}/pid-$AIRAVATA_ATTEMPT"
      if [ "$AIRAVATA_ATTEMPT" = 1 ]; then exec sleep 120; fi
      echo "finished on attempt $AIRAVATA_ATTEMPT"
    retries: 2
`

layer(runtimeDatabase(), { excludeTestServices: true, timeout: "120 seconds" })(
  "worker killed (SIGKILL)",
  (it) => {
    it.scoped(
      "its task is requeued as soon as the stream drops and completes on the other worker as attempt 2",
      () =>
        Effect.gen(function* () {
          const work = yield* tempDir("killed-work")
          const markers = yield* tempDir("killed-markers")
          // The killed worker's script is orphaned on purpose; it must not outlive the test.
          yield* killScriptsOnExit(markers)
          const server = yield* startReplica()
          const workers = yield* startWorkers(2, { prefix: "kill", port: server.port, workingDir: work })
          const submitted = yield* submitYaml(spec(markers))
          const [task] = yield* tasksOf(submitted.experiment.id)
          assert(task !== undefined)

          const running = yield* eventually(
            "attempt 1 to run",
            Effect.zip(
              taskDetail(task.id),
              Effect.sync(() => pidsIn(markers).length),
            ),
            ([detail, pids]) => detail.task.status === "RUNNING" && pids === 1,
          )
          const victimId = running[0].task.leaseOwner
          const victim = workers.find((w) => w.workerId === victimId)
          assert(victim !== undefined, `no pilot for lease owner ${victimId}`)
          const killedAt = yield* Clock.currentTimeMillis
          yield* killWorker(victim)

          const summary = yield* awaitExperiment(submitted.experiment.id, "COMPLETED")
          expect(summary.completedTasks).toBe(1)
          const detail = yield* taskDetail(task.id)
          expect(detail.task.status).toBe("COMPLETED")
          expect(detail.task.attempt).toBe(2)
          const [first, second] = detail.attempts
          assert(first !== undefined && second !== undefined)
          expect(detail.attempts).toHaveLength(2)
          expect([first.attempt, first.workerId, first.status]).toEqual([1, victim.workerId, "QUEUED"])
          // Released because the stream ended, not reaped because the lease ran out.
          expect(first.error).toMatch(/went away/)
          expect([second.attempt, second.status]).toEqual([2, "COMPLETED"])
          expect(second.workerId).not.toBe(victim.workerId)
          expect(workers.map((w) => w.workerId)).toContain(second.workerId)
          // The lease was 30 s: the requeue and the new claim came long before it could have expired.
          expect(second.startedAt.epochMillis - killedAt).toBeLessThan(15_000)
        }),
      120_000,
    )
  },
)
