/**
 * The `airavata spec` commands, run as a user runs them: `node bin/airavata.mjs …` on the built
 * dist/ (the test script builds first). Also runs the examples' scripts with plain bash.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${…}" here is spec and shell syntax, not a template.
import { Command, FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Schema, Stream } from "effect"
import { type ExpandedTask, expand, loadSpec, OutputRef } from "../../src/domain/spec/index.js"
import { projectRoot, airavata as runCli } from "./cli.js"

/** Runs the CLI and returns what it printed and its exit code. */
const airavata = (...args: Array<string>) => runCli(args)

const ExpandOutput = Schema.parseJson(
  Schema.Struct({
    total: Schema.Number,
    tasks: Schema.Array(
      Schema.Struct({
        name: Schema.String,
        index: Schema.Number,
        key: Schema.String,
        inputs: Schema.Record({ key: Schema.String, value: Schema.String }),
        dependencies: Schema.Array(Schema.String),
      }),
    ),
  }),
)

describe("airavata spec (e2e)", () => {
  it.layer(NodeContext.layer)((it) => {
    it.effect("expand --output json prints one document with every task of the Go sample", () =>
      Effect.gen(function* () {
        const run = yield* airavata("spec", "expand", "examples/airavata-sample.yaml", "--output", "json")
        expect(run.stderr).toBe("")
        expect(run.exitCode).toBe(0)
        const doc = yield* Schema.decodeUnknown(ExpandOutput)(run.stdout)
        expect(doc.total).toBe(1000)
        expect(doc.tasks).toHaveLength(1000)
        expect(doc.tasks[0]).toEqual({
          name: "task1",
          index: 0,
          key: "task1[0]",
          inputs: { SLEEP_SCALE: "0", MESSAGE: "hello", SLEEP_TIME: "1" },
          dependencies: [],
        })
        expect(doc.tasks[999]).toEqual({
          name: "task2",
          index: 499,
          key: "task2[499]",
          inputs: {
            SLEEP_TIME: "1",
            MESSAGE: "hello",
            SLEEP_SCALE: "0",
            INPUT_FILE: "${task1[499].OUTPUT_FILE}",
          },
          dependencies: ["task1[499]"],
        })
      }),
    )

    it.effect("expand --limit prints the first tasks but the full total; the table shows barriers", () =>
      Effect.gen(function* () {
        const json = yield* airavata(
          "spec",
          "expand",
          "examples/dag.yaml",
          "--output",
          "json",
          "--limit",
          "2",
        )
        const doc = yield* Schema.decodeUnknown(ExpandOutput)(json.stdout)
        expect(doc.total).toBe(9)
        expect(doc.tasks.map((t) => t.key)).toEqual(["simulate[0]", "simulate[1]"])
        const table = yield* airavata("spec", "expand", "examples/dag.yaml")
        expect(table.exitCode).toBe(0)
        const lines = table.stdout.trimEnd().split("\n")
        expect(lines[0]).toBe("KEY\tINPUTS\tDEPENDENCIES")
        expect(lines[5]).toBe("analyze[0]\tSTEPS=50 TRAJECTORY=${simulate[0].TRAJECTORY}\tsimulate[0]")
        expect(lines[9]).toBe("summarize[0]\tSTEPS=50\tanalyze[*]")
      }),
    )

    it.effect("validate prints one OK line with the counts", () =>
      Effect.gen(function* () {
        const run = yield* airavata("spec", "validate", "examples/airavata-sample.yaml")
        expect(run).toEqual({
          stdout: "OK examples/airavata-sample.yaml: 1000 tasks (task1: 500, task2: 500)\n",
          stderr: "",
          exitCode: 0,
        })
      }),
    )

    it.effect("an invalid spec exits with 2 and prints each problem at its location on stderr", () =>
      Effect.gen(function* () {
        const file = "test/fixtures/specs/bad/types.yaml"
        for (const command of ["validate", "expand"]) {
          const run = yield* airavata("spec", command, file)
          expect(run.exitCode).toBe(2)
          expect(run.stdout).toBe("")
          const lines = run.stderr.trimEnd().split("\n")
          expect(lines).toHaveLength(5)
          expect(lines[2]).toBe(
            `${file}:10:14: tasks.run.task_inputs.COUNT: "abc" is not a valid int (expected an integer)`,
          )
        }
      }),
    )

    it.effect("a missing file exits with 2", () =>
      Effect.gen(function* () {
        const run = yield* airavata("spec", "validate", "no-such-spec.yaml")
        expect(run.exitCode).toBe(2)
        expect(run.stderr).toMatch(
          /^no-such-spec\.yaml:0:0: \(document\): cannot read the spec file \(NotFound: /,
        )
      }),
    )

    it.effect("bad usage exits with 2", () =>
      Effect.gen(function* () {
        const run = yield* airavata("spec", "expand", "examples/dag.yaml", "--output", "xml")
        expect(run.exitCode).toBe(2)
        expect(run.stderr).not.toBe("")
        const negative = yield* airavata("spec", "expand", "examples/dag.yaml", "--limit", "-1")
        expect(negative).toEqual({ stdout: "", stderr: "--limit must be ≥ 0, got -1\n", exitCode: 2 })
      }),
    )

    it.effect("--help works on every command", () =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
          [[], "Airavata scheduler"],
          [["spec"], "Validate and preview experiment specs"],
          [["spec", "validate"], "Check a spec and print its task counts"],
          [["spec", "expand"], "Print the task instances a spec expands to"],
        ]
        for (const [path, description] of cases) {
          const run = yield* airavata(...path, "--help")
          expect(run.exitCode).toBe(0)
          expect(run.stdout).toContain("USAGE")
          expect(run.stdout).toContain(description)
        }
        const expandHelp = yield* airavata("spec", "expand", "--help")
        expect(expandHelp.stdout).toContain("--limit")
        expect(expandHelp.stdout).toContain("--output")
      }),
    )

    it.scoped("the examples' scripts run with plain bash, outputs feeding their dependants", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const work = yield* fs.makeTempDirectoryScoped()
        for (const example of ["sweep.yaml", "dag.yaml", "airavata-sample.yaml", "api-experiment.json"]) {
          const file = path.join(projectRoot, "examples", example)
          const expansion = expand(yield* loadSpec(yield* fs.readFileString(file), file))
          // Every instance of the small examples; the first five of each task of the 1,000-task sample.
          const tasks: ReadonlyArray<ExpandedTask> = Chunk.toReadonlyArray(
            yield* Stream.runCollect(
              Stream.filter(expansion.tasks, (t) => t.index < 5 || expansion.total < 100),
            ),
          )
          const dirOf = (key: string) => path.join(work, example, key.replace(/[[\]]/g, "_"))
          for (const task of tasks) {
            const dir = dirOf(task.key)
            yield* fs.makeDirectory(dir, { recursive: true })
            const inputs = Object.entries(task.inputs).map(([k, v]) => {
              if (!(v instanceof OutputRef)) return [k, v] as const
              const upstream = tasks.find((t) => t.key === v.task)
              return [k, path.join(dirOf(v.task), upstream?.outputs[v.output] ?? "missing")] as const
            })
            const env = {
              PATH: process.env.PATH ?? "/usr/bin:/bin",
              ...task.environment,
              ...Object.fromEntries(inputs),
              ...task.outputs,
            }
            const exitCode = yield* Command.exitCode(
              Command.make("bash", "-c", task.script).pipe(Command.workingDirectory(dir), Command.env(env)),
            )
            expect([task.key, Number(exitCode)]).toEqual([task.key, 0])
            for (const output of Object.values(task.outputs)) {
              expect(yield* fs.exists(path.join(dir, output))).toBe(true)
            }
          }
        }
        const grid = yield* fs.readFileString(path.join(work, "sweep.yaml", "grid_5_", "result.txt"))
        expect(grid).toBe("alpha=0.5 n=2 sum=0.750000\n")
        const upper = yield* fs.readFileString(
          path.join(work, "airavata-sample.yaml", "task2_1_", "output.2.txt"),
        )
        expect(upper).toBe("HELLO AFTER 2\n")
      }),
    )
  })
})
