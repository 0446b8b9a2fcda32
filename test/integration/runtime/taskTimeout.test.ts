/**
 * A task with `timeout: 1s` whose script sleeps 30 s: each attempt is stopped after a second and
 * reported FAILED with a timeout error, the retry does the same, and the task and its experiment
 * end FAILED long before the script could have finished. The stopped scripts are gone.
 */
import { assert, expect, layer } from "@effect/vitest"
import { Clock, Effect } from "effect"
import {
  awaitExperiment,
  eventually,
  isAlive,
  killScriptsOnExit,
  pidsIn,
  startReplica,
  startWorkers,
  submitYaml,
  taskDetail,
  tasksOf,
  tempDir,
} from "./harness.js"
import { runtimeDatabase } from "./RuntimeDatabase.js"

const spec = (markers: string) => `
name: timeout
tasks:
  slow:
    command: |
      echo $$ > "${markers}/pid-$AIRAVATA_ATTEMPT"
      exec sleep 30
    timeout: 1s
    retries: 1
    backoff: { base: 100ms, jitter: 0 }
`

layer(runtimeDatabase(), { excludeTestServices: true, timeout: "120 seconds" })("task timeout", (it) => {
  it.scoped(
    "an attempt running past its 1 s timeout fails with a timeout error, is retried once, then fails for good",
    () =>
      Effect.gen(function* () {
        const work = yield* tempDir("timeout-work")
        const markers = yield* tempDir("timeout-markers")
        // Should the workers fail to stop them, the scripts must not outlive the test.
        yield* killScriptsOnExit(markers)
        const server = yield* startReplica()
        yield* startWorkers(1, { prefix: "timeout", port: server.port, workingDir: work })
        const started = yield* Clock.currentTimeMillis
        const submitted = yield* submitYaml(spec(markers))
        const [task] = yield* tasksOf(submitted.experiment.id)
        assert(task !== undefined)

        const summary = yield* awaitExperiment(submitted.experiment.id, "FAILED")
        expect(summary.failedTasks).toBe(1)
        // Two attempts of a 30 s sleep: only the timeout can have ended them this early.
        expect((yield* Clock.currentTimeMillis) - started).toBeLessThan(25_000)

        const detail = yield* taskDetail(task.id)
        expect(detail.task.status).toBe("FAILED")
        expect(detail.task.attempt).toBe(2)
        expect(detail.task.error).toMatch(/timed out after 1s/)
        expect(detail.attempts.map((a) => [a.attempt, a.status])).toEqual([
          [1, "FAILED"],
          [2, "FAILED"],
        ])
        for (const attempt of detail.attempts) {
          expect(attempt.error).toMatch(/timed out after 1s/)
          assert(attempt.endedAt !== undefined)
          const ran = attempt.endedAt.epochMillis - attempt.startedAt.epochMillis
          expect(ran).toBeGreaterThanOrEqual(1_000)
          expect(ran).toBeLessThan(15_000)
        }

        // Both scripts ran, and the timeout killed them.
        const pids = pidsIn(markers)
        expect(pids).toHaveLength(2)
        yield* eventually(
          "the timed-out scripts to be gone",
          Effect.sync(() => pids.filter(isAlive)),
          (alive) => alive.length === 0,
          "15 seconds",
        )
      }),
    120_000,
  )
})
