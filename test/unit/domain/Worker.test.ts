import { describe, expect, it } from "@effect/vitest"
import { Worker } from "../../../src/domain/Worker.js"
import { decodeFails, decodeOk, roundTrips, t0 } from "./decode.js"

const worker = {
  id: "w1",
  computeResourceId: "c1",
  capabilities: { cpuCores: 8, memoryMB: 16_000, diskGB: 100, gpus: 0 },
  registeredAt: t0,
  updatedAt: t0,
}

describe("Worker", () => {
  it("decodes with defaults", () => {
    const decoded = decodeOk(Worker, { ...worker, walltime: "24:00:00" })
    expect(decoded).toMatchObject({ status: "REGISTERED", slots: 1, tasksCompleted: 0, tasksFailed: 0 })
    expect(decoded.experimentId).toBeUndefined()
    roundTrips(Worker, decoded)
  })

  it.each(["REGISTERED", "IDLE", "BUSY", "DRAINING", "DISCONNECTED", "TERMINATED"])(
    "accepts %s",
    (status) => {
      expect(decodeOk(Worker, { ...worker, status }).status).toBe(status)
    },
  )

  it("rejects missing capabilities, zero slots and a bad walltime", () => {
    const { capabilities: _, ...bare } = worker
    decodeFails(Worker, bare, "capabilities", "is missing")
    decodeFails(Worker, { ...worker, slots: 0 }, "slots", "greater than or equal to 1")
    decodeFails(Worker, { ...worker, walltime: "forever" }, "walltime", 'expected a walltime "H:MM:SS"')
    decodeFails(
      Worker,
      { ...worker, capabilities: { ...worker.capabilities, cpuCores: 0 } },
      "cpuCores",
      "positive",
    )
  })
})
