import * as Os from "node:os"
import { describe, expect, it } from "@effect/vitest"
import { Data, Effect, Redacted } from "effect"
import type { WorkerId } from "../../../src/domain/Ids.js"
import {
  type LocalPilotsOptions,
  startLocalPilots,
} from "../../../src/layers/compute/local/startLocalPilots.js"
import { Compute } from "../../../src/ports/Compute.js"
import { awaitReport, isAlive, tempDir, testLayer } from "./helpers.js"

class MintFailed extends Data.TaggedError("MintFailed")<{ readonly workerId: string }> {}

const options = (
  workingDir: string,
  token: (workerId: WorkerId) => Effect.Effect<Redacted.Redacted<string>, MintFailed> = (id) =>
    Effect.succeed(Redacted.make(`token-of-${id}`)),
): LocalPilotsOptions<MintFailed, never> => ({
  prefix: "pilot",
  serverAddress: "localhost:7000",
  workingDir,
  slots: 2,
  heartbeatInterval: "1500 millis",
  taskTimeout: "90 seconds",
  env: { PILOT_EXTRA: "fleet" },
  token,
})

describe("startLocalPilots", () => {
  it.scoped("starts n pilots named <prefix>-<i>, each with its own token", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const handles = yield* startLocalPilots(3, options(dir))
      expect(handles.map((handle) => handle.workerId)).toEqual(["pilot-1", "pilot-2", "pilot-3"])
      for (const handle of handles) {
        const report = yield* awaitReport(dir, handle.workerId)
        expect(String(report.pid)).toBe(handle.jobId)
        expect(report.token).toBe(`token-of-${handle.workerId}`)
        expect(report.extra).toBe("fleet")
        expect(report.argv).toEqual([
          "--server-address",
          "localhost:7000",
          "--worker-id",
          handle.workerId,
          "--working-dir",
          dir,
          "--heartbeat-interval",
          "1500ms",
          "--task-timeout",
          "90s",
          "--slots",
          "2",
        ])
      }
      const listed = yield* Effect.flatMap(Compute, (compute) => compute.list())
      expect(listed.map((info) => info.status.state)).toEqual(["RUNNING", "RUNNING", "RUNNING"])
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("starts one pilot per core by default", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const handles = yield* startLocalPilots(undefined, options(dir))
      expect(handles).toHaveLength(Os.availableParallelism())
      yield* Effect.forEach(handles, (handle) => awaitReport(dir, handle.workerId))
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("is all or nothing: a failure cancels the pilots already started", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const mint = (id: WorkerId) =>
        id === "pilot-3" ? Effect.fail(new MintFailed({ workerId: id })) : Effect.succeed(Redacted.make("t"))
      const error = yield* Effect.flip(startLocalPilots(4, options(dir, mint)))
      expect(error).toEqual(new MintFailed({ workerId: "pilot-3" }))
      const listed = yield* Effect.flatMap(Compute, (compute) => compute.list())
      expect(listed.map((info) => [info.handle.workerId, info.status.state])).toEqual([
        ["pilot-1", "CANCELLED"],
        ["pilot-2", "CANCELLED"],
      ])
      expect(listed.some((info) => isAlive(Number(info.handle.jobId)))).toBe(false)
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("rejects an invalid spec as COMPUTE_SUBMIT_FAILED naming the pilot", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const error = yield* Effect.flip(
        startLocalPilots(1, { ...options(dir), serverAddress: "no port here" }),
      )
      expect(error._tag).toBe("ComputeSubmitFailed")
      expect(error.message).toMatch(/^could not start pilot pilot-1 on local: invalid pilot spec: /)
      expect(error.message).toContain("host:port")
    }).pipe(Effect.provide(testLayer)),
  )
})
