// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${…}" here is spec and shell syntax, not a template.
import { describe, expect, it } from "@effect/vitest"
import { placeholders, renderTemplate } from "../../../src/domain/spec/CommandTemplate.js"
import { formatClock, parseClock, parseDuration } from "../../../src/domain/spec/Durations.js"
import { didYouMean } from "../../../src/domain/spec/Suggest.js"

describe("command templates", () => {
  it("finds {key} and {{key}} placeholders but not shell ${VAR} expansions", () => {
    expect(placeholders("run {a} {{b}} ${HOME} ${c:-x} {a} {not-a-name} ${{d}}")).toEqual(["a", "b"])
  })

  it("renders placeholders and leaves unbound ones and shell syntax as written", () => {
    expect(renderTemplate("x={x} y={{y}} z={z} home=${HOME}", { x: "1", y: "2" })).toBe(
      "x=1 y=2 z={z} home=${HOME}",
    )
  })
})

describe("durations", () => {
  it("parses unit durations, including compound ones", () => {
    expect(["500ms", "2s", "1m", "1h", "1m30s", "1.5s", "1d"].map(parseDuration)).toEqual([
      500, 2_000, 60_000, 3_600_000, 90_000, 1_500, 86_400_000,
    ])
  })

  it("rejects anything else", () => {
    expect(["", "5", "5 minutes", "2x", "s", "-1s"].map(parseDuration)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
  })

  it("parses and formats clock times H:MM:SS", () => {
    expect(parseClock("0:05:00")).toBe(300)
    expect(parseClock("36:00:01")).toBe(129_601)
    expect(parseClock("5:00")).toBeUndefined()
    expect(parseClock("0:60:00")).toBeUndefined()
    expect(formatClock(5_400)).toBe("1:30:00")
    expect(formatClock(0.2)).toBe("0:00:01")
  })
})

describe("did you mean", () => {
  it("suggests the closest name within a third of the name's length, counting transpositions as one edit", () => {
    expect(didYouMean("perp", ["prep", "sim"])).toBe("prep")
    expect(didYouMean("task_input", ["task_inputs", "task_outputs"])).toBe("task_inputs")
    expect(didYouMean("summary", ["prep", "sim", "report"])).toBeUndefined()
  })
})
