/**
 * Cancelling a running experiment through the Store (as `airavata experiment cancel` does, from
 * outside any worker session): the change feed reaches the sessions, the workers get a
 * TaskCancellation for every attempt they run and kill its process, nothing new starts, and the
 * experiment and all its tasks end CANCELED.
 */
import * as Fs from "node:fs"
import { assert, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { pilotLogFile } from "../../../src/layers/compute/local/LocalCompute.js"
import { Store } from "../../../src/ports/Store.js"
import {
  countsOf,
  eventually,
  experimentOf,
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

const TASKS = 6
const RUNNING = 4

/** Every instance writes its pid and sleeps far longer than the test. */
const spec = (markers: string) => `
name: cancel
parameters:
  I:
    type: int
tasks:
  sleeper:
    command: |
      echo $$ > "${markers}/pid-$I"
      exec sleep 300
    task_inputs:
      I: "1..${TASKS}"
`

layer(runtimeDatabase(), { excludeTestServices: true, timeout: "120 seconds" })(
  "cancel a running experiment",
  (it) => {
    it.scoped(
      "running attempts receive TaskCancellation and their processes end; the experiment ends CANCELED",
      () =>
        Effect.gen(function* () {
          const store = yield* Store
          const work = yield* tempDir("cancel-work")
          const markers = yield* tempDir("cancel-markers")
          // Should the workers fail to stop them, the scripts must not outlive the test.
          yield* killScriptsOnExit(markers)
          const server = yield* startReplica()
          const workers = yield* startWorkers(2, {
            prefix: "cancel",
            port: server.port,
            workingDir: work,
            slots: 2,
          })
          const submitted = yield* submitYaml(spec(markers))
          const id = submitted.experiment.id

          // Two workers with two slots each: four scripts run, two tasks wait.
          yield* eventually(
            `${RUNNING} scripts to run`,
            Effect.zip(
              countsOf(id),
              Effect.sync(() => pidsIn(markers).length),
            ),
            ([counts, pids]) => counts.RUNNING === RUNNING && pids === RUNNING,
          )
          const running = (yield* tasksOf(id)).filter((t) => t.status === "RUNNING")
          expect(running).toHaveLength(RUNNING)
          const pids = pidsIn(markers)
          expect(pids.every(isAlive)).toBe(true)

          const result = yield* store.cancelExperiment(id, "canceled by the test")
          expect(result.canceledTasks).toBe(TASKS)
          expect(result.leased.map((l) => l.taskId).sort()).toEqual(running.map((t) => t.id).sort())
          expect(result.experiment.experiment.status).toBe("CANCELED")

          // The scripts are killed by their workers, which are still up: the cancellation reached them.
          yield* eventually(
            "the canceled scripts to be gone",
            Effect.sync(() => pids.filter(isAlive)),
            (alive) => alive.length === 0,
            "30 seconds",
          )
          for (const task of running) {
            const owner = workers.find((w) => w.workerId === task.leaseOwner)
            assert(owner !== undefined, `no pilot for ${task.leaseOwner}`)
            yield* eventually(
              `worker ${owner.workerId} to log the cancellation of ${task.id}`,
              Effect.sync(() => Fs.readFileSync(pilotLogFile(work, owner.workerId), "utf8")),
              (log) => log.includes(`canceling ${task.id}`),
              "10 seconds",
            )
          }

          const summary = yield* experimentOf(id)
          expect(summary.experiment.status).toBe("CANCELED")
          expect(summary.canceledTasks).toBe(TASKS)
          expect(summary.runningTasks).toBe(0)
          const counts = yield* countsOf(id)
          expect(counts.CANCELED).toBe(TASKS)
          // Freed slots took nothing: only the four scripts that ran before the cancel ever started.
          expect(pidsIn(markers)).toHaveLength(RUNNING)
          for (const task of running) {
            const detail = yield* taskDetail(task.id)
            expect(detail.task.status).toBe("CANCELED")
            expect(detail.attempts.map((a) => [a.attempt, a.workerId, a.status])).toEqual([
              [1, task.leaseOwner, "CANCELED"],
            ])
          }
        }),
      120_000,
    )
  },
)
