import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { instantiate, loadSpec } from "../../../src/domain/spec/index.js"

const feed = loadSpec(
  [
    "name: feed",
    "tasks:",
    "  sim:",
    "    command: run-sim",
    "    retries: 2",
    "    task_inputs:",
    "      X: [1, 2]",
    '      Y: "fixed"',
    "    resources:",
    "      compute: { cpu: 2 }",
  ].join("\n"),
  "feed.yaml",
)

const chained = loadSpec(
  [
    "name: chained",
    "tasks:",
    "  first:",
    "    command: make-input",
    "  second:",
    "    command: use-input",
    "    depends_on: first",
  ].join("\n"),
  "chained.yaml",
)

const failure = <A>(result: Either.Either<A, { readonly path: string; readonly message: string }>) =>
  Either.match(result, { onLeft: (e) => [e.path, e.message], onRight: () => ["", "no failure"] })

describe("instantiate", () => {
  it.effect("makes one instance of a spec task: fixed inputs as defaults, swept ones from the caller", () =>
    Effect.gen(function* () {
      const spec = yield* feed
      const task = yield* instantiate(spec, { task: "sim", inputs: { X: "5" } })
      expect([task.name, task.script, task.inputs, task.after, task.afterAll]).toEqual([
        "sim",
        "run-sim",
        { Y: "fixed", X: "5" },
        [],
        [],
      ])
      expect([task.requirements.cpuCores, task.retry.retries]).toEqual([2, 2])
      const overridden = yield* instantiate(spec, { task: "sim", inputs: { X: "5", Y: "mine" } })
      expect(overridden.inputs).toEqual({ Y: "mine", X: "5" })
    }),
  )

  it.effect("names what is wrong with an instance: its task, a missing or an unknown input", () =>
    Effect.gen(function* () {
      const spec = yield* feed
      const [unknownTask, unknownTaskWhy] = failure(instantiate(spec, { task: "nope", inputs: {} }, 3))
      expect(unknownTask).toBe("tasks[3].task")
      expect(unknownTaskWhy).toContain("sim")
      expect(failure(instantiate(spec, { task: "sim", inputs: {} }))[0]).toBe("tasks[0].inputs.X")
      const [unknownInput, unknownInputWhy] = failure(
        instantiate(spec, { task: "sim", inputs: { X: "1", Z: "1" } }),
      )
      expect(unknownInput).toBe("tasks[0].inputs.Z")
      expect(unknownInputWhy).toContain("one of Y, X")
    }),
  )

  it.effect("refuses a task that waits on others, or that others wait on as a whole", () =>
    Effect.gen(function* () {
      const spec = yield* chained
      expect(failure(instantiate(spec, { task: "second", inputs: {} }))[1]).toContain("depends on first")
      expect(failure(instantiate(spec, { task: "first", inputs: {} }))[1]).toContain(
        "task second waits on all of its instances",
      )
    }),
  )
})
