/**
 * The Promise facade as a non-Effect service uses it: async/await, typed rejections with codes.
 * Worker processes run the built CLI: `npm run build` first.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ExperimentSummary } from "../../../src/index.js"
import { createScheduler, type PromiseScheduler } from "../../../src/index.js"

describe("createScheduler (Promise facade)", () => {
  let scheduler: PromiseScheduler
  const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "airavata-promise-"))

  beforeAll(async () => {
    scheduler = await createScheduler({ dataDir, workers: 2 })
  }, 120_000)
  afterAll(async () => {
    await scheduler.close()
  }, 120_000)

  it("runs the sweep example from its path to completion", async () => {
    const submitted = await scheduler.submit("examples/sweep.yaml")
    expect(submitted.experiment.status).toBe("EXECUTING")
    const final = await scheduler.wait(submitted.experiment.id)
    expect(final.experiment.status).toBe("COMPLETED")
    expect(final.completedTasks).toBe(12)
    const counts = await scheduler.counts(submitted.experiment.id)
    expect(counts.COMPLETED).toBe(12)
    // A finished experiment's progress is its final summary, then the end.
    const seen: Array<ExperimentSummary> = []
    for await (const s of scheduler.progress(submitted.experiment.id)) seen.push(s)
    expect(seen.map((s) => s.experiment.status)).toEqual(["COMPLETED"])
    const listed = await scheduler.list({ status: "COMPLETED" })
    expect(listed.map((s) => s.experiment.id)).toContain(submitted.experiment.id)
    const workDir = scheduler.endpoint.workDir ?? ""
    const results = Fs.readdirSync(workDir, { recursive: true, encoding: "utf8" }).filter(
      (p) => Path.basename(p) === "result.txt",
    )
    expect(results).toHaveLength(12)
  }, 120_000)

  it("accepts spec text, and controls: pause, resume, cancel", async () => {
    const text = `name: inline-wait
tasks:
  wait:
    command: sleep 30
`
    const submitted = await scheduler.submit(text, { start: false })
    const id = submitted.experiment.id
    expect(submitted.experiment.status).toBe("CREATED")
    expect((await scheduler.start(id)).experiment.status).toBe("EXECUTING")
    expect((await scheduler.pause(id)).experiment.status).toBe("PAUSED")
    expect((await scheduler.resume(id)).experiment.status).toBe("EXECUTING")
    const canceled = await scheduler.cancel(id, "test")
    expect(canceled.experiment.experiment.status).toBe("CANCELED")
    expect((await scheduler.wait(id)).experiment.status).toBe("CANCELED")
  }, 60_000)

  it("rejects with the typed errors themselves, carrying their codes", async () => {
    await expect(scheduler.get("exp_does_not_exist")).rejects.toMatchObject({
      _tag: "EntityNotFound",
      code: "EXPERIMENT_NOT_FOUND",
    })
    await expect(scheduler.submit("name: broken\ntasks: 3\n")).rejects.toMatchObject({
      _tag: "SpecInvalid",
      code: "SPEC_INVALID",
    })
    await expect(scheduler.submit("no/such/spec.yaml")).rejects.toMatchObject({ code: "SPEC_INVALID" })
    await expect(scheduler.get("  ")).rejects.toMatchObject({ _tag: "InvalidInput", code: "INVALID_INPUT" })
    const done = await scheduler.submit("name: trivial\ntasks:\n  t:\n    command: 'true'\n")
    await scheduler.wait(done.experiment.id)
    await expect(scheduler.pause(done.experiment.id)).rejects.toMatchObject({
      _tag: "IllegalTransition",
      code: "INVALID_STATE_TRANSITION",
    })
  }, 60_000)

  it("rejects every call after close with SCHEDULER_CLOSED", async () => {
    const other = await createScheduler({
      dataDir: Fs.mkdtempSync(Path.join(Os.tmpdir(), "airavata-closed-")),
      workers: 0,
    })
    await other.close()
    await other.close()
    await expect(other.list()).rejects.toMatchObject({ _tag: "SchedulerClosed", code: "SCHEDULER_CLOSED" })
  }, 60_000)

  it("rejects createScheduler itself when the scheduler cannot start", async () => {
    await expect(createScheduler({ url: "postgres://root@127.0.0.1:1/none", port: 0 })).rejects.toMatchObject(
      {
        _tag: "SqlError",
      },
    )
  }, 60_000)
})
