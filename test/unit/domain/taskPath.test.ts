import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { IllegalTransition } from "../../../src/domain/Errors.js"
import { TaskMachine, taskPath } from "../../../src/domain/StateMachine.js"
import { TaskStatus } from "../../../src/domain/Status.js"

// Expected chains for every pair that has one, written out by hand. Direct moves are single-step
// chains; multi-step chains only follow the forward progress of a leased task. Every other pair fails.
const expected: Record<string, ReadonlyArray<TaskStatus>> = {
  "CREATED -> QUEUED": ["QUEUED"],
  "CREATED -> FAILED": ["FAILED"],
  "CREATED -> CANCELED": ["CANCELED"],
  "QUEUED -> DATA_STAGING": ["DATA_STAGING"],
  "QUEUED -> FAILED": ["FAILED"],
  "QUEUED -> CANCELED": ["CANCELED"],
  "DATA_STAGING -> ENV_SETUP": ["ENV_SETUP"],
  "DATA_STAGING -> RUNNING": ["ENV_SETUP", "RUNNING"],
  "DATA_STAGING -> OUTPUT_STAGING": ["ENV_SETUP", "RUNNING", "OUTPUT_STAGING"],
  "DATA_STAGING -> COMPLETED": ["ENV_SETUP", "RUNNING", "OUTPUT_STAGING", "COMPLETED"],
  "DATA_STAGING -> QUEUED": ["QUEUED"],
  "DATA_STAGING -> FAILED": ["FAILED"],
  "DATA_STAGING -> CANCELED": ["CANCELED"],
  "ENV_SETUP -> RUNNING": ["RUNNING"],
  "ENV_SETUP -> OUTPUT_STAGING": ["RUNNING", "OUTPUT_STAGING"],
  "ENV_SETUP -> COMPLETED": ["RUNNING", "OUTPUT_STAGING", "COMPLETED"],
  "ENV_SETUP -> QUEUED": ["QUEUED"],
  "ENV_SETUP -> FAILED": ["FAILED"],
  "ENV_SETUP -> CANCELED": ["CANCELED"],
  "RUNNING -> OUTPUT_STAGING": ["OUTPUT_STAGING"],
  "RUNNING -> COMPLETED": ["OUTPUT_STAGING", "COMPLETED"],
  "RUNNING -> QUEUED": ["QUEUED"],
  "RUNNING -> FAILED": ["FAILED"],
  "RUNNING -> CANCELED": ["CANCELED"],
  "OUTPUT_STAGING -> COMPLETED": ["COMPLETED"],
  "OUTPUT_STAGING -> QUEUED": ["QUEUED"],
  "OUTPUT_STAGING -> FAILED": ["FAILED"],
  "OUTPUT_STAGING -> CANCELED": ["CANCELED"],
  "FAILED -> QUEUED": ["QUEUED"],
  "CANCELED -> CREATED": ["CREATED"],
}

const statuses = TaskStatus.literals
const pairs = statuses.flatMap((from) => statuses.map((to) => [from, to] as const))

describe("taskPath", () => {
  it.effect.each(pairs)("%s -> %s", ([from, to]) =>
    Effect.gen(function* () {
      const want = expected[`${from} -> ${to}`]
      const result = yield* Effect.either(taskPath(from, to, "t-1"))
      if (Either.isRight(result)) {
        expect(result.right).toEqual(want)
        // Whatever it returns must be walkable through the machine, one legal move at a time.
        let at: TaskStatus = from
        for (const step of result.right) {
          expect(TaskMachine.canTransition(at, step)).toBe(true)
          at = step
        }
        expect(at).toBe(to)
      } else {
        expect(want).toBeUndefined()
        expect(result.left).toBeInstanceOf(IllegalTransition)
        expect(result.left).toMatchObject({ entity: "task", id: "t-1", from, to })
      }
    }),
  )

  it.effect("never routes a skipped report through QUEUED, FAILED or CANCELED", () =>
    Effect.gen(function* () {
      for (const [from, to] of pairs) {
        const path = yield* Effect.orElseSucceed(taskPath(from, to), () => [])
        for (const step of path.slice(0, -1)) {
          expect(["QUEUED", "FAILED", "CANCELED"]).not.toContain(step)
        }
      }
    }),
  )

  it.effect("omits the id from the error when none is given", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(taskPath("QUEUED", "RUNNING"))
      expect(error.id).toBeUndefined()
      expect(error.message).toBe("task cannot move from QUEUED to RUNNING")
    }),
  )
})
