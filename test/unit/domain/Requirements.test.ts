import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import {
  fits,
  ResourceRequirements,
  Walltime,
  WorkerCapabilities,
  walltimeSeconds,
} from "../../../src/domain/Requirements.js"
import { decodeFails, decodeOk } from "./decode.js"

describe("Walltime", () => {
  it.each([
    ["0:00:00", 0],
    ["0:05:00", 300],
    ["1:02:03", 3_723],
    ["100:00:00", 360_000],
  ])("%s is %i seconds", (text, seconds) => {
    expect(walltimeSeconds(Schema.decodeUnknownSync(Walltime)(text))).toBe(seconds)
  })

  it.each(["5:00", "0:60:00", "0:00:60", "1h", "-1:00:00", "1:2:3", ""])("rejects %j", (text) => {
    decodeFails(ResourceRequirements, { walltime: text }, "walltime", 'expected a walltime "H:MM:SS"')
  })
})

describe("ResourceRequirements", () => {
  it("fills defaults", () => {
    expect(decodeOk(ResourceRequirements, {})).toMatchObject({
      cpuCores: 1,
      memoryMB: 1,
      diskGB: 0,
      gpus: 0,
      priority: 5,
    })
  })

  it("rejects zero cores and priorities outside 0–10", () => {
    decodeFails(ResourceRequirements, { cpuCores: 0 }, "cpuCores", "positive")
    decodeFails(ResourceRequirements, { priority: 11 }, "priority", "between 0 and 10")
  })
})

describe("fits", () => {
  const cap = WorkerCapabilities.make({ cpuCores: 4, memoryMB: 8_000, diskGB: 50, gpus: 1 })

  it("fits when every dimension is within the worker's", () => {
    expect(fits(ResourceRequirements.make({ cpuCores: 4, memoryMB: 8_000, diskGB: 50, gpus: 1 }), cap)).toBe(
      true,
    )
    expect(fits(ResourceRequirements.make({}), cap)).toBe(true)
  })

  it.each([
    ["cpuCores", { cpuCores: 5 }],
    ["memoryMB", { memoryMB: 8_001 }],
    ["diskGB", { diskGB: 51 }],
    ["gpus", { gpus: 2 }],
  ])("does not fit when %s exceeds it", (_, over) => {
    expect(fits(ResourceRequirements.make(over), cap)).toBe(false)
  })
})
