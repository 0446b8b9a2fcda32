import { describe, expect, it } from "@effect/vitest"
import { DateTime } from "effect"
import { Experiment, ExperimentConstraints } from "../../../src/domain/Experiment.js"
import { decodeFails, decodeOk, roundTrips, t0, t1 } from "./decode.js"

const experiment = {
  id: "e1",
  name: "sweep",
  projectId: "p1",
  ownerId: "u1",
  spec: { tasks: [{ name: "run", script: "echo $x" }], parameters: { x: [1, 2, 3] } },
  createdAt: t0,
  updatedAt: t0,
}

describe("Experiment", () => {
  it("decodes with defaults", () => {
    const decoded = decodeOk(Experiment, experiment)
    expect(decoded).toMatchObject({ status: "CREATED", totalTasks: 0, description: "", metadata: {} })
    expect(decoded.requirements).toMatchObject({ cpuCores: 1, memoryMB: 1, priority: 5 })
    expect(decoded.constraints).toMatchObject({ preferredResources: [], excludedResources: [] })
    roundTrips(Experiment, decoded)
  })

  it.each(["CREATED", "EXECUTING", "PAUSED", "COMPLETED", "FAILED", "CANCELED"])(
    "accepts status %s",
    (status) => {
      expect(decodeOk(Experiment, { ...experiment, status }).status).toBe(status)
    },
  )

  it("rejects statuses that are not ours", () => {
    decodeFails(Experiment, { ...experiment, status: "RUNNING" }, "status", '"EXECUTING"')
  })

  it("rejects a name longer than 255 characters", () => {
    decodeFails(Experiment, { ...experiment, name: "n".repeat(256) }, "name", "expected 1 to 255 characters")
  })

  it("rejects a spec that is not JSON", () => {
    decodeFails(Experiment, { ...experiment, spec: { x: Number.POSITIVE_INFINITY } }, "spec", "finite")
  })

  it("rejects requirements with a bad walltime, naming the nested field", () => {
    decodeFails(
      Experiment,
      { ...experiment, requirements: { walltime: "90 minutes" } },
      "walltime",
      'expected a walltime "H:MM:SS"',
    )
  })

  it("requires the deadline to lie after the creation time", () => {
    const ok = decodeOk(Experiment, { ...experiment, constraints: { deadline: t1, maxCost: 12.5 } })
    expect(ok.constraints.deadline && DateTime.formatIso(ok.constraints.deadline)).toBe(t1)
    const message = decodeFails(
      Experiment,
      { ...experiment, createdAt: t1, constraints: { deadline: t0 } },
      "deadline",
      "expected a deadline after the experiment's creation time",
    )
    expect(message).toContain('["constraints"]')
  })
})

describe("ExperimentConstraints", () => {
  it("decodes resource preferences", () => {
    const decoded = decodeOk(ExperimentConstraints, { preferredResources: ["c1"], excludedResources: ["c2"] })
    expect(decoded.preferredResources).toEqual(["c1"])
    roundTrips(ExperimentConstraints, decoded)
  })

  it("rejects a negative maxCost", () => {
    decodeFails(ExperimentConstraints, { maxCost: -1 }, "maxCost", "non-negative")
  })

  it("rejects a resource that is both preferred and excluded", () => {
    decodeFails(
      ExperimentConstraints,
      { preferredResources: ["c1", "c2"], excludedResources: ["c2"] },
      "excludedResources",
      "both preferred and excluded, got c2",
    )
  })
})
