import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { expand, loadSpec } from "../../../src/domain/spec/index.js"

const MB = 1024 * 1024

/** gc() is exposed by vitest.config.ts (`--expose-gc`); without it heap samples would measure garbage. */
const collectGarbage = (): void => {
  const gc: unknown = Reflect.get(globalThis, "gc")
  if (typeof gc !== "function") throw new Error("run with node --expose-gc (see vitest.config.ts)")
  gc()
}

const heapUsed = (): number => {
  collectGarbage()
  return process.memoryUsage().heapUsed
}

describe("expand (memory)", () => {
  it.effect("streams a 1000 × 1000 sweep in bounded memory", () =>
    Effect.gen(function* () {
      const text =
        'tasks:\n  big:\n    command: echo "$A $B"\n    task_inputs:\n      A: "1..1000"\n      B: "1..1000"\n'
      const expansion = expand(yield* loadSpec(text, "big.yaml"))
      expect(expansion.total).toBe(1_000_000)
      const baseline = heapUsed()
      let seen = 0
      let peak = 0
      let lastKey = ""
      yield* Stream.runForEachChunk(expansion.tasks, (chunk) =>
        Effect.sync(() => {
          seen += chunk.length
          for (const task of chunk) lastKey = task.key
          // Sample roughly every 50,000 tasks: each sample is a full GC.
          if (seen % 50_000 < chunk.length) peak = Math.max(peak, heapUsed() - baseline)
        }),
      )
      expect(seen).toBe(1_000_000)
      expect(lastKey).toBe("big[999999]")
      // A materialised million-task array would retain several hundred MB.
      expect(peak).toBeLessThan(64 * MB)
    }),
  )
})
