import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Scope, TestClock } from "effect"
import { WorkerId } from "../../../src/domain/Ids.js"
import * as LocalCompute from "../../../src/layers/compute/local/LocalCompute.js"
import { Compute, PilotHandle } from "../../../src/ports/Compute.js"
import {
  awaitGone,
  awaitLog,
  awaitReport,
  awaitSleeps,
  FIXTURE,
  isAlive,
  makeSpec,
  processGroup,
  procList,
  TOKEN,
  tempDir,
  testLayer,
} from "./helpers.js"

describe("local compute: starting pilots", () => {
  it.scoped("passes the worker flags on the command line and the token only in the environment", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const compute = yield* Compute
      const spec = makeSpec(dir, "w-flags", { PILOT_EXTRA: "extra-value" }, "/opt/handlers.js")
      const handle = yield* compute.submitPilot(spec)
      const report = yield* awaitReport(dir, "w-flags")

      expect(handle).toEqual(
        new PilotHandle({
          resourceType: "LOCAL",
          resourceId: compute.resourceId,
          workerId: spec.workerId,
          jobId: String(report.pid),
        }),
      )
      expect(report.argv).toEqual([
        "--server-address",
        "127.0.0.1:50051",
        "--worker-id",
        "w-flags",
        "--working-dir",
        dir,
        "--heartbeat-interval",
        "10s",
        "--task-timeout",
        "1h",
        "--slots",
        "4",
        "--handlers",
        "/opt/handlers.js",
      ])
      expect(report.token).toBe(TOKEN)
      expect(report.extra).toBe("extra-value")
      expect(report.cwd).toBe(dir)
      // As `ps` would see it: the token is in the environment, nowhere on the command line.
      expect(procList(report.pid, "cmdline")).toEqual([process.execPath, FIXTURE, ...report.argv, ""])
      expect(procList(report.pid, "cmdline").join(" ")).not.toContain(TOKEN)
      expect(procList(report.pid, "environ")).toContain(`AIRAVATA_WORKER_TOKEN=${TOKEN}`)
      expect(processGroup(report.pid)).toBe(report.pid)
      expect((yield* compute.status(handle)).state).toBe("RUNNING")
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("writes the pilot's stdout and stderr to <workingDir>/pilots/<workerId>.log", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const compute = yield* Compute
      const handle = yield* compute.submitPilot(makeSpec(dir, "w-log"))
      yield* awaitReport(dir, "w-log")
      yield* compute.cancel(handle)
      const log = Fs.readFileSync(Path.join(dir, "pilots", "w-log.log"), "utf8")
      expect(log).toBe("pilot w-log up\npilot w-log stderr line\ngot SIGTERM, draining\n")
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("refuses a second running pilot for the same worker, and a command that cannot run", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const compute = yield* Compute
      yield* compute.submitPilot(makeSpec(dir, "w-dup"))
      const duplicate = yield* Effect.flip(compute.submitPilot(makeSpec(dir, "w-dup")))
      expect(duplicate.code).toBe("COMPUTE_SUBMIT_FAILED")
      expect(duplicate.message).toMatch(
        /^could not start pilot w-dup on local: a pilot for this worker is still running/,
      )

      const missing = LocalCompute.layer({ command: [Path.join(dir, "no-such-binary")] })
      const error = yield* Effect.flip(
        Effect.flatMap(Compute, (other) => other.submitPilot(makeSpec(dir, "w-missing"))).pipe(
          Effect.provide(missing),
        ),
      )
      expect(error._tag).toBe("ComputeSubmitFailed")
      expect(error.message).toContain("w-missing")
      expect(error.message).toContain("ENOENT")
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("reports an unknown handle as COMPUTE_PILOT_NOT_FOUND", () =>
    Effect.gen(function* () {
      const compute = yield* Compute
      const handle = new PilotHandle({
        resourceType: "LOCAL",
        resourceId: compute.resourceId,
        workerId: WorkerId.make("nobody"),
        jobId: "1",
      })
      const error = yield* Effect.flip(compute.status(handle))
      expect(error.code).toBe("COMPUTE_PILOT_NOT_FOUND")
      expect(error.message).toBe("no pilot nobody (job 1) on local")
    }).pipe(Effect.provide(testLayer)),
  )
})

describe("local compute: pilot exit", () => {
  it.scoped("goes RUNNING → COMPLETED with exit code 0", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const compute = yield* Compute
      const handle = yield* compute.submitPilot(makeSpec(dir, "w-ok"))
      const { pid } = yield* awaitReport(dir, "w-ok")
      expect((yield* compute.status(handle)).state).toBe("RUNNING")
      process.kill(pid, "SIGUSR1")
      const ended = yield* compute.awaitExit(handle)
      expect(ended).toMatchObject({ state: "COMPLETED", exitCode: 0, reason: "exited with code 0" })
      expect(yield* compute.status(handle)).toEqual(ended)
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("goes RUNNING → FAILED with the exit code, and a new pilot may then take the worker id", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const compute = yield* Compute
      const handle = yield* compute.submitPilot(makeSpec(dir, "w-fail", { PILOT_EXIT_CODE: "3" }))
      const { pid } = yield* awaitReport(dir, "w-fail")
      expect((yield* compute.status(handle)).state).toBe("RUNNING")
      process.kill(pid, "SIGUSR1")
      const ended = yield* compute.awaitExit(handle)
      expect(ended).toMatchObject({ state: "FAILED", exitCode: 3, reason: "exited with code 3" })
      expect(ended.isTerminal).toBe(true)

      Fs.rmSync(Path.join(dir, "w-fail.report.json"))
      const restarted = yield* compute.submitPilot(makeSpec(dir, "w-fail"))
      expect((yield* awaitReport(dir, "w-fail")).pid).not.toBe(pid)
      const listed = yield* compute.list()
      expect(listed.map((info) => [info.handle.jobId, info.status.state])).toEqual([
        [handle.jobId, "FAILED"],
        [restarted.jobId, "RUNNING"],
      ])
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("reports a pilot killed by a signal it did not ask for as FAILED with the signal", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const compute = yield* Compute
      const handle = yield* compute.submitPilot(makeSpec(dir, "w-killed"))
      const { pid } = yield* awaitReport(dir, "w-killed")
      process.kill(pid, "SIGKILL")
      const ended = yield* compute.awaitExit(handle)
      expect(ended).toMatchObject({ state: "FAILED", signal: "SIGKILL", reason: "killed by SIGKILL" })
      expect(ended.exitCode).toBeUndefined()
    }).pipe(Effect.provide(testLayer)),
  )
})

describe("local compute: cancel", () => {
  it.scoped(
    "sends SIGTERM to the group; a pilot that drains exits within the grace, leaving nothing behind",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const compute = yield* Compute
        const handle = yield* compute.submitPilot(makeSpec(dir, "w-drain", { PILOT_GRANDCHILD: "1" }))
        const report = yield* awaitReport(dir, "w-drain")
        const grandchild = report.grandchild ?? -1
        expect(isAlive(grandchild)).toBe(true)
        // The TestClock never moves: cancel must return without the grace period elapsing.
        const ended = yield* compute.cancel(handle, { graceMs: 60_000 })
        expect(ended).toMatchObject({
          state: "CANCELLED",
          exitCode: 0,
          reason: "cancelled; exited with code 0",
        })
        expect(yield* awaitLog(dir, "w-drain", "got SIGTERM, draining")).toBeTruthy()
        expect(isAlive(report.pid)).toBe(false)
        // It ignored SIGTERM; the SIGKILL to the group after the leader's exit reached it.
        expect(yield* awaitGone(grandchild)).toBe(true)
      }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("a pilot ignoring SIGTERM gets SIGKILL once the grace has passed on the TestClock", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const compute = yield* Compute
      const handle = yield* compute.submitPilot(makeSpec(dir, "w-stubborn", { PILOT_MODE: "ignore-term" }))
      const { pid } = yield* awaitReport(dir, "w-stubborn")
      const cancelling = yield* Effect.fork(compute.cancel(handle, { graceMs: 5_000 }))
      yield* awaitLog(dir, "w-stubborn", "ignoring SIGTERM")
      yield* awaitSleeps(1)
      yield* TestClock.adjust("4999 millis")
      expect(isAlive(pid)).toBe(true)
      expect((yield* compute.status(handle)).state).toBe("RUNNING")
      yield* TestClock.adjust("1 milli")
      const ended = yield* Fiber.join(cancelling)
      expect(ended).toMatchObject({
        state: "CANCELLED",
        signal: "SIGKILL",
        reason: "cancelled; SIGKILL after 5s; killed by SIGKILL",
      })
      expect(isAlive(pid)).toBe(false)
    }).pipe(Effect.provide(testLayer)),
  )

  it.scoped("cancelling a pilot that has already ended leaves its status as it was", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const compute = yield* Compute
      const handle = yield* compute.submitPilot(makeSpec(dir, "w-done"))
      const { pid } = yield* awaitReport(dir, "w-done")
      process.kill(pid, "SIGUSR1")
      yield* compute.awaitExit(handle)
      expect((yield* compute.cancel(handle)).state).toBe("COMPLETED")
      const error = yield* Effect.flip(compute.cancel(handle, { graceMs: -1 }))
      expect(error.code).toBe("COMPUTE_CANCEL_FAILED")
    }).pipe(Effect.provide(testLayer)),
  )
})

describe("local compute: shutdown", () => {
  it.scoped("closing the layer's scope stops every pilot: SIGTERM, grace on the TestClock, SIGKILL", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const scope = yield* Scope.make()
      const compute = Context.get(yield* Layer.buildWithScope(testLayer, scope), Compute)
      const polite = yield* Effect.forEach(["w-a", "w-b"], (id) => compute.submitPilot(makeSpec(dir, id)))
      const stubborn = yield* compute.submitPilot(makeSpec(dir, "w-c", { PILOT_MODE: "ignore-term" }))
      const pids = yield* Effect.forEach(["w-a", "w-b", "w-c"], (id) =>
        Effect.map(awaitReport(dir, id), (report) => report.pid),
      )
      expect(pids.every(isAlive)).toBe(true)

      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      for (const handle of polite) expect((yield* compute.awaitExit(handle)).state).toBe("CANCELLED")
      yield* awaitLog(dir, "w-c", "ignoring SIGTERM")
      yield* awaitSleeps(1)
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(closing)

      expect(pids.some(isAlive)).toBe(false)
      expect(yield* compute.status(stubborn)).toMatchObject({
        state: "CANCELLED",
        signal: "SIGKILL",
        reason: "scheduler stopped; SIGKILL after 5s; killed by SIGKILL",
      })
      const late = yield* Effect.flip(compute.submitPilot(makeSpec(dir, "w-late")))
      expect(late.message).toContain("the local compute provider has shut down")
    }),
  )
})
