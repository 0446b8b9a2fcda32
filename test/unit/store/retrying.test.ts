/** Statements PostgreSQL aborted as deadlock victims run again, up to four more times. */
import { SqlError } from "@effect/sql/SqlError"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { retrying } from "../../../src/layers/store/SqlFailures.js"

const failing = (code: string) => new SqlError({ cause: { code, message: `failed with ${code}` } })

/** A statement that fails with `codes` in turn, then succeeds with "done"; counts its runs. */
const statement = (codes: ReadonlyArray<string>) => {
  let runs = 0
  const effect = Effect.suspend(() => {
    const code = codes[runs++]
    return code === undefined ? Effect.succeed("done") : Effect.fail(failing(code))
  })
  return { effect, runs: () => runs }
}

describe("retrying", () => {
  it.effect("runs a deadlock victim or a serialization failure again until it succeeds", () =>
    Effect.gen(function* () {
      const s = statement(["40P01", "40001", "40P01"])
      expect(yield* retrying(s.effect)).toBe("done")
      expect(s.runs()).toBe(4)
    }),
  )

  it.effect("gives up after four more runs, as ServiceUnavailable naming the SQLSTATE", () =>
    Effect.gen(function* () {
      const s = statement(["40P01", "40P01", "40P01", "40P01", "40P01", "40P01"])
      const exit = yield* Effect.exit(retrying(s.effect))
      expect(s.runs()).toBe(5)
      expect(Exit.isFailure(exit) && String(exit.cause)).toContain("SQLSTATE 40P01")
    }),
  )

  it.effect("does not run other failures again", () =>
    Effect.gen(function* () {
      const s = statement(["23505"])
      const exit = yield* Effect.exit(retrying(s.effect))
      expect(s.runs()).toBe(1)
      expect(Exit.isFailure(exit) && String(exit.cause)).toContain("SQLSTATE 23505")
    }),
  )
})
