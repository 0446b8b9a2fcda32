// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${…}" here is spec and shell syntax, not a template.
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatIssue, loadSpec, SpecInvalid } from "../../../src/domain/spec/index.js"

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/specs/${name}`, import.meta.url), "utf8")
const example = (name: string) => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), "utf8")

/** Every issue of an invalid fixture, as `line:col path: message (expected …)`. */
const issuesOf = (name: string) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(loadSpec(fixture(`bad/${name}`), name))
    expect(error).toBeInstanceOf(SpecInvalid)
    expect(error.code).toBe("SPEC_INVALID")
    expect(error.issues.every((i) => i.file === name)).toBe(true)
    return error.issues.map(formatIssue)
  })

describe("loadSpec: invalid documents report every problem with its location", () => {
  // Inline rather than a fixture file: the repository's formatter cannot parse broken YAML.
  it.effect("YAML syntax errors", () =>
    Effect.gen(function* () {
      const text = "name: broken\ntasks:\n  a:\n    command: echo hi\n    task_inputs:\n      X: [1, 2\n"
      const error = yield* Effect.flip(loadSpec(text, "syntax.yaml"))
      expect(error.issues.map(formatIssue)).toEqual([
        "syntax.yaml:7:1: (document): Flow sequence in block collection must be sufficiently indented and end with a ] (expected well-formed YAML or JSON)",
      ])
    }),
  )

  it.effect("JSON syntax errors", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("syntax.json")).toEqual([
        "syntax.json:5:47: (document): Unexpected , in flow sequence (expected well-formed YAML or JSON)",
      ])
    }),
  )

  it.effect("an empty document", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("empty.yaml")).toEqual([
        "empty.yaml:1:1: (document): expected a mapping at the top level, found an empty document (expected a spec document (a mapping))",
      ])
    }),
  )

  it.effect("unknown scripts and tasks, with suggestions when close", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("unknown-names.yaml")).toEqual([
        'unknown-names.yaml:8:13: tasks.sim.script: unknown script "simulat"; did you mean "simulate"? (expected one of prepare, simulate)',
        'unknown-names.yaml:9:15: tasks.sim.foreach[0]: unknown task "perp"; did you mean "prep"? (expected one of prep, sim, report)',
        'unknown-names.yaml:11:13: tasks.report.script: unknown script "report" (expected one of prepare, simulate)',
        'unknown-names.yaml:12:23: tasks.report.depends_on[1]: unknown task "summary" (expected one of prep, sim, report)',
      ])
    }),
  )

  it.effect("a cycle through a reference, depends_on and foreach, as a path", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("cycle.yaml")).toEqual([
        "cycle.yaml:5:11: tasks.a.task_inputs.IN: cycle: a → c → b → a (expected an acyclic task graph (foreach, depends_on and ${task.OUTPUT} references))",
      ])
    }),
  )

  it.effect("references to missing outputs, and references inside text", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("references.yaml")).toEqual([
        'references.yaml:11:11: tasks.use.task_inputs.IN: task "gen" has no output "RESULTS"; did you mean "RESULT"? (expected one of RESULT)',
        'references.yaml:15:11: tasks.mixed.task_inputs.IN: a reference must be the whole value, found "prefix-${gen.RESULT}" (expected a value, a list of values, a range "a..b[:step]" or a reference "${task.OUTPUT}")',
      ])
    }),
  )

  it.effect("a reference to a task with many instances that is not in foreach", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("multi-instance-reference.yaml")).toEqual([
        'multi-instance-reference.yaml:11:11: tasks.join.task_inputs.IN: "${gen.RESULT}" refers to task "gen", which has 3 instances (expected "gen" listed in foreach, or a task with exactly one instance)',
      ])
    }),
  )

  it.effect("type mismatches against declared parameters", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("types.yaml")).toEqual([
        'types.yaml:4:35: parameters.VERBOSE.default: "maybe" is not a bool (expected true or false)',
        'types.yaml:5:17: parameters.MODE.type: unknown type "strin"; did you mean "string"? (expected string | int | float | bool | path)',
        'types.yaml:10:14: tasks.run.task_inputs.COUNT: "abc" is not a valid int (expected an integer)',
        'types.yaml:11:19: tasks.run.task_inputs.RATE[1]: "fast" is not a valid float (expected a number)',
        'types.yaml:12:16: tasks.run.task_inputs.VERBOSE: a range cannot bind the bool parameter "VERBOSE" (expected true or false)',
      ])
    }),
  )

  it.effect("empty sweeps and bad range steps", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("empty-sweeps.yaml")).toEqual([
        "empty-sweeps.yaml:5:10: tasks.sweep.task_inputs.A: empty sweep: the list has no values (expected at least one value)",
        "empty-sweeps.yaml:6:10: tasks.sweep.task_inputs.B: empty sweep: range 10..1 has no values (expected a range a..b with b ≥ a)",
        'empty-sweeps.yaml:7:10: tasks.sweep.task_inputs.C: range step must be positive, found 0 (expected a range "a..b:step" with step > 0)',
      ])
    }),
  )

  it.effect("duplicate keys", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("duplicates.yaml")).toEqual([
        'duplicates.yaml:3:3: parameters.X: duplicate key "X" (first defined at line 2) (expected unique keys)',
        'duplicates.yaml:9:3: tasks.a: duplicate key "a" (first defined at line 5) (expected unique keys)',
      ])
    }),
  )

  it.effect("inputs not declared in parameters", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("undeclared.yaml")).toEqual([
        'undeclared.yaml:8:7: tasks.a.task_inputs.INPTU: input "INPTU" is not declared in parameters (expected one of INPUT)',
      ])
    }),
  )

  it.effect("bad resources, walltimes, durations, retries and priorities", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("bad-values.yaml")).toEqual([
        "bad-values.yaml:3:10: resources.compute.cpu: invalid value 0 (expected an integer ≥ 1)",
        'bad-values.yaml:4:13: resources.compute.ram_gb: invalid value "lots" (expected a number > 0)',
        'bad-values.yaml:5:11: resources.compute.time: invalid walltime "5:00" (expected a walltime "H:MM:SS", e.g. "0:05:00")',
        'bad-values.yaml:7:7: resources.environment[0]: invalid environment entry "NO_EQUALS_SIGN" (expected "KEY=VALUE" with KEY an environment variable name of letters, digits and _, not starting with a digit)',
        "bad-values.yaml:11:14: tasks.a.retries: invalid value -1 (expected an integer ≥ 0)",
        'bad-values.yaml:12:14: tasks.a.timeout: invalid duration "forever" (expected a walltime "H:MM:SS", e.g. "0:05:00" or a duration such as "500ms", "2s", "1m30s", "1h")',
        'bad-values.yaml:13:22: tasks.a.backoff.base: invalid duration "2x" (expected a duration such as "500ms", "2s", "1m30s", "1h")',
        "bad-values.yaml:13:34: tasks.a.backoff.factor: invalid value 0.5 (expected a number ≥ 1)",
        "bad-values.yaml:13:47: tasks.a.backoff.jitter: invalid value 2 (expected a number from 0 to 1)",
        "bad-values.yaml:14:15: tasks.a.priority: invalid value 11 (expected an integer from 0 to 10)",
      ])
    }),
  )

  it.effect("unknown (typo'd) keys at every level", () =>
    Effect.gen(function* () {
      const taskKeys =
        "script, command, handler, description, task_inputs, task_outputs, foreach, depends_on, resources, retries, backoff, timeout, priority"
      expect(yield* issuesOf("unknown-keys.yaml")).toEqual([
        'unknown-keys.yaml:2:1: taks: unknown key "taks"; did you mean "tasks"? (expected one of name, description, project, parameters, scripts, tasks, resources)',
        `unknown-keys.yaml:7:5: tasks.a.comand: unknown key "comand"; did you mean "command"? (expected one of ${taskKeys})`,
        "unknown-keys.yaml:7:5: tasks.a: task has nothing to run (expected one of script, command, handler)",
        `unknown-keys.yaml:8:5: tasks.a.task_input: unknown key "task_input"; did you mean "task_inputs"? (expected one of ${taskKeys})`,
        'unknown-keys.yaml:12:9: tasks.a.resources.compute.cpus: unknown key "cpus"; did you mean "cpu"? (expected one of node, cpu, gpu, disk_gb, ram_gb, vram_gb, time)',
      ])
    }),
  )

  it.effect("malformed task entries: wrong node kinds, bad names, absolute output files", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("task-shapes.yaml")).toEqual([
        "task-shapes.yaml:3:14: tasks.a.command: expected text, found a list (expected a string)",
        `task-shapes.yaml:4:24: tasks.a.task_outputs.O: invalid output file "/abs" (expected a relative file name inside the task's working directory)`,
        'task-shapes.yaml:8:36: tasks.b.task_inputs.J: expected a value, found a mapping (expected a value, a list of values, a range "a..b[:step]" or a reference "${task.OUTPUT}")',
        'task-shapes.yaml:8:46: tasks.b.task_inputs.9X: invalid input name "9X" (expected an environment variable name of letters, digits and _, not starting with a digit)',
        'task-shapes.yaml:9:3: tasks.1bad: invalid task name "1bad" (expected a task name of letters, digits, _ and -, not starting with a digit or -)',
      ])
    }),
  )

  it.effect("more than one YAML document", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("two-documents.yaml")).toEqual([
        "two-documents.yaml:4:1: (document): the file holds more than one YAML document (expected well-formed YAML or JSON)",
      ])
    }),
  )

  it.effect("API format: missing keys, unbound placeholders, bad requirements and constraints", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("api-invalid.json")).toEqual([
        'api-invalid.json:1:1: (document): missing required key "projectId" (expected a "projectId" key)',
        'api-invalid.json:5:17: parameters[0].values: missing value for placeholder "{seed}" of the command template (expected a "seed" key)',
        'api-invalid.json:7:5: parameters[2]: missing required key "values" (expected a "values" key)',
        'api-invalid.json:7:7: parameters[2].value: unknown key "value"; did you mean "values"? (expected one of values)',
        "api-invalid.json:9:33: requirements.cpuCores: invalid value 0 (expected an integer ≥ 1)",
        'api-invalid.json:9:48: requirements.walltime: invalid walltime "soon" (expected a walltime "H:MM:SS", e.g. "0:05:00" or a duration such as "500ms", "2s", "1m30s", "1h")',
        "api-invalid.json:9:68: requirements.priority: invalid value 11 (expected an integer from 0 to 10)",
        'api-invalid.json:10:32: constraints.deadline: invalid deadline "tomorrow" (expected an ISO-8601 date-time, e.g. "2030-01-31T12:00:00Z")',
        "api-invalid.json:10:95: constraints.excludedResources: resources both preferred and excluded: r1 (expected no resource in both lists)",
      ])
    }),
  )

  it.effect("API format: a placeholder no parameter set binds", () =>
    Effect.gen(function* () {
      expect(yield* issuesOf("api-unbound.json")).toEqual([
        'api-unbound.json:4:22: commandTemplate: placeholder "{missing}" is not bound by any parameter set (expected one of x)',
      ])
    }),
  )

  it.effect("an experiment name no experiment may have, given or taken from the file name", () =>
    Effect.gen(function* () {
      const task = "tasks:\n  a:\n    command: echo hi\n"
      const padded = yield* Effect.flip(loadSpec(`name: " padded"\n${task}`, "padded.yaml"))
      expect(padded.issues.map(formatIssue)).toEqual([
        'padded.yaml:1:7: name: invalid experiment name " padded" (expected an experiment name of 1 to 255 characters without leading or trailing whitespace)',
      ])
      const long = `${"n".repeat(256)}.yaml`
      const unnamed = yield* Effect.flip(loadSpec(task, long))
      expect(unnamed.issues.map((i) => [i.line, i.column, i.path])).toEqual([[1, 1, "name"]])
      const api = JSON.parse(example("api-experiment.json"))
      const emptyName = yield* Effect.flip(loadSpec(JSON.stringify({ ...api, name: "" }), "api.json"))
      expect(emptyName.issues.map((i) => [i.path, i.message])).toEqual([
        ["name", 'invalid experiment name ""'],
      ])
    }),
  )

  it.effect("a project name no project may have", () =>
    Effect.gen(function* () {
      const yaml = yield* Effect.flip(
        loadSpec("name: n\nproject: ' padded'\ntasks:\n  a:\n    command: echo hi\n", "p.yaml"),
      )
      expect(yaml.issues.map(formatIssue)).toEqual([
        'p.yaml:2:10: project: invalid project name " padded" (expected a project name of 1 to 255 characters without leading or trailing whitespace)',
      ])
      const api = JSON.parse(example("api-experiment.json"))
      const long = yield* Effect.flip(
        loadSpec(JSON.stringify({ ...api, projectId: "p".repeat(256) }), "api.json"),
      )
      expect(long.issues.map((i) => i.path)).toEqual(["projectId"])
    }),
  )

  it.effect("issues are structured: file, line, column, path, message and expected", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadSpec(fixture("bad/undeclared.yaml"), "specs/undeclared.yaml"))
      expect(error.issues).toHaveLength(1)
      expect({ ...error.issues[0] }).toEqual({
        file: "specs/undeclared.yaml",
        line: 8,
        column: 7,
        path: "tasks.a.task_inputs.INPTU",
        message: 'input "INPTU" is not declared in parameters',
        expected: "one of INPUT",
      })
    }),
  )
})

describe("loadSpec: valid documents", () => {
  it.effect("reads the YAML format's experiment-level fields", () =>
    Effect.gen(function* () {
      const spec = yield* loadSpec(fixture("good/features.yaml"), "features.yaml")
      expect(spec.format).toBe("yaml")
      expect(spec.name).toBe("features")
      expect(spec.description).toBe("Every construct of the spec language")
      expect(spec.project).toBe("proj-1")
      expect({ ...spec.requirements }).toEqual({
        cpuCores: 2,
        memoryMB: 1024,
        diskGB: 10,
        gpus: 0,
        walltime: "0:30:00",
        priority: 5,
      })
      expect(spec.storage.map((s) => ({ ...s }))).toEqual([
        { storage: "scratch", remote: "/remote/data", local: "data" },
      ])
      expect(spec.conda).toEqual(["python=3.12"])
      expect(spec.pip).toEqual(["tqdm"])
      expect(spec.tasks.map((t) => t.name)).toEqual(["setup", "run", "check", "report"])
      expect(spec.tasks.map((t) => t.nodes)).toEqual([2, 2, 2, 2])
      expect(spec.tasks[1]?.vramGB).toBe(8)
    }),
  )

  it.effect("names a YAML experiment after its file when it has no name", () =>
    Effect.gen(function* () {
      const spec = yield* loadSpec("tasks:\n  a:\n    command: echo a\n", "dir/my-run.yaml")
      expect(spec.name).toBe("my-run")
      expect(spec.project).toBeUndefined()
    }),
  )

  it.effect("reads the API format's experiment-level fields", () =>
    Effect.gen(function* () {
      const spec = yield* loadSpec(example("api-experiment.json"), "api-experiment.json")
      expect(spec.format).toBe("api")
      expect(spec.name).toBe("api-sweep")
      expect(spec.project).toBe("default")
      expect({ ...spec.requirements }).toEqual({
        cpuCores: 1,
        memoryMB: 512,
        diskGB: 1,
        gpus: 0,
        walltime: "0:10:00",
        priority: 5,
      })
      expect({ ...spec.constraints }).toEqual({ maxCost: 10, preferredResources: [], excludedResources: [] })
      expect(spec.metadata).toEqual({ owner: "examples" })
    }),
  )

  it.effect("accepts an API walltime written as a duration", () =>
    Effect.gen(function* () {
      const text = JSON.stringify({
        name: "n",
        projectId: "p",
        commandTemplate: "true",
        parameters: [{ values: {} }],
        requirements: { walltime: "90m" },
      })
      const spec = yield* loadSpec(text, "api.json")
      expect(spec.requirements.walltime).toBe("1:30:00")
    }),
  )
})
