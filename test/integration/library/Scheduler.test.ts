/**
 * The Effect Scheduler on its ready-made layers: embedded (PGlite, loopback replica, local worker
 * processes running real bash) and PostgreSQL (a replica serving workers that connect over gRPC).
 * Worker processes run the built CLI: `npm run build` first.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Layer, Stream } from "effect"
import { Scheduler } from "../../../src/actors/Scheduler.js"
import * as LocalCompute from "../../../src/layers/compute/local/LocalCompute.js"
import { startLocalPilots } from "../../../src/layers/compute/local/startLocalPilots.js"
import { LOCAL_COMPUTE } from "../../../src/programs/localDirectory.js"
import { registerWorkerWithToken } from "../../../src/programs/registerWorker.js"
import { SchedulerEndpoint, SchedulerLive } from "../../../src/SchedulerLive.js"
import { freshDatabase } from "../store/TestDatabase.js"

const tempDir = () => Fs.mkdtempSync(Path.join(Os.tmpdir(), "airavata-lib-"))

/** Every file named `name` under `dir`, recursively. */
const find = (dir: string, name: string): Array<string> =>
  Fs.readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((p) => Path.basename(p) === name)
    .map((p) => Path.join(dir, p))

describe("Scheduler (Effect)", () => {
  it.scopedLive(
    "embedded: runs the sweep example on local worker processes; progress ends with the terminal summary",
    () =>
      Effect.gen(function* () {
        const dataDir = tempDir()
        const { summary, updates, counts, endpoint } = yield* Effect.gen(function* () {
          const scheduler = yield* Scheduler
          const submitted = yield* scheduler.submit({ path: "examples/sweep.yaml" })
          expect(submitted.experiment.totalTasks).toBe(12)
          const updates = Chunk.toReadonlyArray(
            yield* Stream.runCollect(scheduler.progress(submitted.experiment.id)),
          )
          const summary = yield* scheduler.awaitCompletion(submitted.experiment.id)
          const counts = yield* scheduler.counts(submitted.experiment.id)
          return { summary, updates, counts, endpoint: yield* SchedulerEndpoint }
        }).pipe(Effect.provide(SchedulerLive.embedded({ dataDir, workers: 2 })))

        expect(summary.experiment.status).toBe("COMPLETED")
        expect(summary.completedTasks).toBe(12)
        expect(counts.COMPLETED).toBe(12)
        expect(updates.at(-1)?.experiment.status).toBe("COMPLETED")
        // Each update differs from the one before it: progress reports changes, not polls.
        for (const [i, u] of updates.entries()) {
          const prev = updates[i - 1]
          if (prev !== undefined)
            expect(`${u.experiment.status}/${u.completedTasks}/${u.runningTasks}`).not.toBe(
              `${prev.experiment.status}/${prev.completedTasks}/${prev.runningTasks}`,
            )
        }
        expect(endpoint.host).toBe("127.0.0.1")
        expect(endpoint.workerLogs).toHaveLength(2)
        assert(endpoint.workDir !== undefined)
        const results = find(endpoint.workDir, "result.txt").map((f) => Fs.readFileSync(f, "utf8"))
        expect(results).toHaveLength(12)
        expect(results).toContain("alpha=0.5 n=3 sum=0.875000\n")
      }),
    180_000,
  )

  it.scopedLive(
    "postgres: a replica serves workers that connect over gRPC; the sweep completes",
    () =>
      Effect.gen(function* () {
        const { url } = yield* freshDatabase
        const workDir = tempDir()
        const summary = yield* Effect.gen(function* () {
          const scheduler = yield* Scheduler
          const endpoint = yield* SchedulerEndpoint
          // Workers started by someone else: pre-registered with a token, pointed at the endpoint.
          yield* startLocalPilots(1, {
            prefix: `pg-${process.pid}`,
            serverAddress: `127.0.0.1:${endpoint.port}`,
            workingDir: workDir,
            slots: 2,
            heartbeatInterval: Duration.seconds(2),
            taskTimeout: Duration.minutes(5),
            token: (workerId) => registerWorkerWithToken(workerId, LOCAL_COMPUTE, 2),
          })
          const submitted = yield* scheduler.submit({ path: "examples/sweep.yaml" })
          return yield* scheduler.awaitCompletion(submitted.experiment.id)
        }).pipe(
          // Inside the replica's scope, so the workers stop (and drain) before the replica does.
          Effect.provide(LocalCompute.layer()),
          Effect.provide(
            SchedulerLive.postgres({
              url,
              maxConnections: 4,
              host: "127.0.0.1",
              port: 0,
              heartbeatInterval: "2 seconds",
            }).pipe(Layer.orDie),
          ),
        )
        expect(summary.experiment.status).toBe("COMPLETED")
        expect(summary.completedTasks).toBe(12)
        expect(find(workDir, "result.txt")).toHaveLength(12)
      }),
    180_000,
  )
})
