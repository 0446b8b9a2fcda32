import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { parseInputFlags, readInputsFile } from "../../../src/cli/experiment/taskInstances.js"

describe("parseInputFlags", () => {
  it("splits at the first =: a value may contain = and may be empty", () => {
    expect(parseInputFlags(["X=a=b", "Y=", "__proto__=p"])).toEqual(
      Either.right({ X: "a=b", Y: "", ["__proto__"]: "p" }),
    )
    expect(Object.getPrototypeOf(Either.getOrThrow(parseInputFlags(["__proto__=p"])))).toBe(Object.prototype)
  })

  it("refuses a flag without a name or =, and a name given twice", () => {
    expect(parseInputFlags(["X"])).toEqual(Either.left('--input: expected NAME=VALUE, got "X"'))
    expect(parseInputFlags(["=v"])).toEqual(Either.left('--input: expected NAME=VALUE, got "=v"'))
    expect(parseInputFlags(["X=1", "X=2"])).toEqual(Either.left("--input: X is given twice"))
  })
})

describe("readInputsFile", () => {
  const withFile = (text: string) =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const file = yield* fs.makeTempFileScoped({ suffix: ".jsonl" })
      yield* fs.writeFileString(file, text)
      return file
    })

  it.scoped("reads both line forms, skips blank lines, defaults the task", () =>
    Effect.gen(function* () {
      const file = yield* withFile('{"X": "a"}\r\n\n{"task": "t", "inputs": {"N": 3, "B": true}}\n')
      const located = yield* readInputsFile(file, "echo")
      expect(located.map((l) => l.instance)).toEqual([
        { task: "echo", inputs: { X: "a" } },
        { task: "t", inputs: { N: "3", B: "true" } },
      ])
      expect(located.map((l) => l.where("inputs.N"))).toEqual([`${file}:1: inputs.N`, `${file}:3: inputs.N`])
    }).pipe(Effect.provide(NodeContext.layer)),
  )

  it.scoped("names the file and line of a bad line", () =>
    Effect.gen(function* () {
      const message = (text: string, task?: string) =>
        Effect.flatMap(withFile(text), (file) =>
          Effect.map(Effect.flip(readInputsFile(file, task)), (e) => e.message.replace(file, "F")),
        )
      expect(yield* message('{"X": "a"}\n{"X": \n', "echo")).toMatch(/^F:2: not JSON \(/)
      expect(yield* message('\n{"task": "t", "inputs": {}, "typo": 1}\n')).toMatch(
        /^F:2: typo: is unexpected/,
      )
      expect(yield* message("[1]\n")).toMatch(/^F:1: expected \{"task": "TASK", "inputs"/)
      expect(yield* message('{"X": null}\n', "echo")).toBe("F:1: X: expected a string, number or boolean")
      expect(yield* message('{"X": "a"}\n')).toBe('F:1: no "task", and no TASK argument to default to')
      expect(yield* message("\n\n", "echo")).toBe("--inputs-file: F has no lines")
    }).pipe(Effect.provide(NodeContext.layer)),
  )
})
