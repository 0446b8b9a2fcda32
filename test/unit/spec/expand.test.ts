// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${…}" here is spec and shell syntax, not a template.
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Schema, Stream } from "effect"
import {
  type ExpandedTask,
  ExperimentSpec,
  expand,
  loadSpec,
  OutputRef,
} from "../../../src/domain/spec/index.js"

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8")
const features = () => loadSpec(read("../../fixtures/specs/good/features.yaml"), "features.yaml")

const tasksOf = (spec: ExperimentSpec) =>
  Stream.runCollect(expand(spec).tasks).pipe(Effect.map((c) => Chunk.toReadonlyArray(c)))

const byKey = (tasks: ReadonlyArray<ExpandedTask>, key: string): ExpandedTask => {
  const task = tasks.find((t) => t.key === key)
  if (task === undefined) throw new Error(`no task ${key}`)
  return task
}

describe("expand", () => {
  it.effect("counts instances before producing any: product of foreach counts and sweep dimensions", () =>
    Effect.gen(function* () {
      const expansion = expand(yield* features())
      expect(expansion.counts).toEqual([
        { name: "setup", count: 1 },
        { name: "run", count: 6 },
        { name: "check", count: 6 },
        { name: "report", count: 2 },
      ])
      expect(expansion.total).toBe(15)
    }),
  )

  it.effect("orders a sweep as a mixed-radix number: the last dimension varies fastest", () =>
    Effect.gen(function* () {
      const tasks = yield* tasksOf(yield* features())
      const run = tasks.filter((t) => t.name === "run")
      expect(run.map((t) => [t.key, t.inputs.SEED, t.inputs.SIZE])).toEqual([
        ["run[0]", "1", "16"],
        ["run[1]", "1", "32"],
        ["run[2]", "3", "16"],
        ["run[3]", "3", "32"],
        ["run[4]", "5", "16"],
        ["run[5]", "5", "32"],
      ])
      expect(tasks.map((t) => t.key)).toEqual([
        "setup[0]",
        ...run.map((t) => t.key),
        ...[0, 1, 2, 3, 4, 5].map((i) => `check[${i}]`),
        "report[0]",
        "report[1]",
      ])
    }),
  )

  it.effect(
    "binds a single-instance reference, fills defaults, merges resources, retry and environment",
    () =>
      Effect.gen(function* () {
        const run = byKey(yield* tasksOf(yield* features()), "run[3]")
        expect(run.inputs).toEqual({
          CONFIG: OutputRef.make({ task: "setup[0]", output: "CONFIG" }),
          SEED: "3",
          SIZE: "32",
          MODE: "slow",
          VERBOSE: "false",
        })
        expect(run.after).toEqual(["setup[0]"])
        expect(run.afterAll).toEqual(["setup"])
        expect(run.outputs).toEqual({ OUT: "out.txt" })
        expect(run.script).toBe('cat "$CONFIG" > "$OUT"; echo "$SEED $SIZE" >> "$OUT"\n')
        expect(run.environment).toEqual({ LANG: "C.UTF-8", OMP_NUM_THREADS: "4" })
        expect({ ...run.requirements }).toEqual({
          cpuCores: 4,
          memoryMB: 2560,
          diskGB: 10,
          gpus: 1,
          walltime: "1:30:00",
          priority: 9,
        })
        expect(run.retry.retries).toBe(5)
        expect(run.retry.timeoutSeconds).toBe(600)
        expect({ ...run.retry.backoff }).toEqual({ baseMs: 250, factor: 3, maxMs: 60_000, jitter: 0 })
      }),
  )

  it.effect("foreach over several tasks instantiates their product and binds each instance's output", () =>
    Effect.gen(function* () {
      const tasks = yield* tasksOf(yield* features())
      for (let i = 0; i < 6; i++) {
        const check = byKey(tasks, `check[${i}]`)
        expect(check.after).toEqual(["setup[0]", `run[${i}]`])
        expect(check.inputs.DATA).toEqual(OutputRef.make({ task: `run[${i}]`, output: "OUT" }))
        expect(check.handler).toBe("verify-output")
        expect(check.script).toBe("")
        expect(check.inputs).toMatchObject({ VERBOSE: "true", SIZE: "8", MODE: "fast" })
      }
    }),
  )

  it.effect("depends_on is a barrier on whole tasks, without fan-out", () =>
    Effect.gen(function* () {
      const tasks = yield* tasksOf(yield* features())
      const report = tasks.filter((t) => t.name === "report")
      expect(report.map((t) => [t.inputs.SIZE, t.after, t.afterAll])).toEqual([
        ["16", [], ["check", "run"]],
        ["32", [], ["check", "run"]],
      ])
    }),
  )

  it.effect("the API format runs the template once per parameter set, placeholders filled", () =>
    Effect.gen(function* () {
      const spec = yield* loadSpec(read("../../../examples/api-experiment.json"), "api-experiment.json")
      const tasks = yield* tasksOf(spec)
      expect(tasks.map((t) => [t.key, t.inputs, t.script])).toEqual([
        [
          "task[0]",
          { lr: "0.1", batch: "32" },
          'echo "learning rate 0.1, batch 32" > result.txt && echo "${HOME:-none}" > /dev/null',
        ],
        [
          "task[1]",
          { lr: "0.01", batch: "64" },
          'echo "learning rate 0.01, batch 64" > result.txt && echo "${HOME:-none}" > /dev/null',
        ],
        [
          "task[2]",
          { lr: "0.001", batch: "128" },
          'echo "learning rate 0.001, batch 128" > result.txt && echo "${HOME:-none}" > /dev/null',
        ],
      ])
      expect(
        tasks.every((t) => t.requirements.memoryMB === 512 && t.requirements.walltime === "0:10:00"),
      ).toBe(true)
    }),
  )

  it.effect("the Go prototype's sample: 500 + 500 tasks, task2[i] reads task1[i]'s output", () =>
    Effect.gen(function* () {
      const spec = yield* loadSpec(read("../../../examples/airavata-sample.yaml"), "airavata-sample.yaml")
      const expansion = expand(spec)
      expect(expansion.total).toBe(1000)
      const tasks = yield* tasksOf(spec)
      expect(byKey(tasks, "task1[101]").inputs).toMatchObject({ MESSAGE: "this", SLEEP_TIME: "2" })
      const task2 = byKey(tasks, "task2[101]")
      expect(task2.inputs.INPUT_FILE).toEqual(OutputRef.make({ task: "task1[101]", output: "OUTPUT_FILE" }))
      expect(task2.after).toEqual(["task1[101]"])
    }),
  )

  it.effect("the stream can be run again and gives the same tasks", () =>
    Effect.gen(function* () {
      const spec = yield* features()
      const first = yield* tasksOf(spec)
      const second = yield* tasksOf(spec)
      expect(second).toEqual(first)
    }),
  )

  it.effect("a spec survives encoding to JSON and back (the Store keeps it) and expands the same", () =>
    Effect.gen(function* () {
      const spec = yield* features()
      const json = JSON.parse(JSON.stringify(yield* Schema.encode(ExperimentSpec)(spec)))
      const decoded = yield* Schema.decodeUnknown(ExperimentSpec)(json)
      expect(yield* tasksOf(decoded)).toEqual(yield* tasksOf(spec))
    }),
  )
})
