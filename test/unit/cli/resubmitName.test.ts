import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { resubmitName } from "../../../src/cli/experiment/resubmitExperiment.js"
import { ExperimentName } from "../../../src/domain/Experiment.js"

const isName = Schema.is(ExperimentName)
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

describe("resubmitName", () => {
  it("numbers resubmissions of resubmissions on", () => {
    expect(resubmitName("sweep", 1)).toBe("sweep-resubmit-1")
    expect(resubmitName("sweep-resubmit-1", 2)).toBe("sweep-resubmit-2")
  })

  it("cuts a long name to an experiment name's limit, never inside a character", () => {
    const plain = resubmitName("n".repeat(255), 12)
    expect([plain.length, plain.endsWith("-resubmit-12"), isName(plain)]).toEqual([255, true, true])
    // Characters outside the BMP are two UTF-16 units each; an odd cut would split one.
    for (const n of [1, 10]) {
      const wide = resubmitName("🧪".repeat(200), n)
      expect(loneSurrogate.test(wide)).toBe(false)
      expect(isName(wide)).toBe(true)
      expect(wide.endsWith(`-resubmit-${n}`)).toBe(true)
    }
  })
})
