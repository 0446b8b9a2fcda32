/**
 * `airavata experiment add ID [TASK] [--input NAME=VALUE]... [--inputs-file FILE] [--output table|json]`:
 * adds task instances to an open experiment (`submit --open`) and prints their task ids. All are
 * checked against the experiment's spec before any is added; more than the store takes in one call
 * go in several, in order.
 */
import { Args, Command, Options } from "@effect/cli"
import { Array as Arr, Console, Effect, Option } from "effect"
import { isTerminalStatus } from "../../actors/ExperimentWatch.js"
import type { Experiment } from "../../domain/Experiment.js"
import type { ExperimentId, TaskId } from "../../domain/Ids.js"
import type { ExpandedTask } from "../../domain/spec/index.js"
import { maxTasksLeasedAtBirth } from "../../ports/IdleSlots.js"
import { Store } from "../../ports/Store.js"
import { storedSpec } from "../../programs/storedSpec.js"
import { InvalidInput } from "../InvalidInput.js"
import { storeLayer, storeOptions } from "../storeTarget.js"
import { experimentId, output, print, printJson } from "./experimentOptions.js"
import { inputFlags, instantiateAll, type LocatedInstance, readInputsFile } from "./taskInstances.js"
import { asUserErrors } from "./userErrors.js"

const task = Args.text({ name: "TASK" }).pipe(
  Args.optional,
  Args.withDescription("The spec task to add an instance of (with --inputs-file: for lines naming none)"),
)
const inputsFile = Options.file("inputs-file").pipe(
  Options.optional,
  Options.withDescription(
    'JSON lines, one instance each: {"task": "TASK", "inputs": {"NAME": "VALUE"}} or {"NAME": "VALUE"}',
  ),
)

interface Flags {
  readonly task: Option.Option<string>
  readonly input: Record<string, string>
  readonly inputsFile: Option.Option<string>
}

/** The instances the flags give, before the store is opened: bad input never waits on it. */
const instancesOf = (flags: Flags) => {
  const task = Option.getOrUndefined(flags.task)
  if (Option.isSome(flags.inputsFile)) {
    return Object.keys(flags.input).length > 0
      ? Effect.fail(new InvalidInput({ message: "give either --input or --inputs-file, not both" }))
      : readInputsFile(flags.inputsFile.value, task)
  }
  if (task === undefined) {
    return Effect.fail(new InvalidInput({ message: "give TASK (with its --input flags) or --inputs-file" }))
  }
  const flagged = (path: string) =>
    path === "task" ? `TASK ${task}` : path.startsWith("inputs.") ? `--input ${path.slice(7)}` : path
  return Effect.succeed<ReadonlyArray<LocatedInstance>>([
    { instance: { task, inputs: flags.input }, where: flagged },
  ])
}

// The store would refuse too, in terms of its own; this says it the CLI's way, before any check.
const requireOpen = (e: Experiment) => {
  if (!e.open) {
    return Effect.fail(
      new InvalidInput({
        message: `experiment ${e.id} is closed: it takes no more tasks (only one submitted with --open does, until closed)`,
      }),
    )
  }
  return isTerminalStatus(e.status)
    ? Effect.fail(new InvalidInput({ message: `experiment ${e.id} is ${e.status}: it takes no more tasks` }))
    : Effect.void
}

/** Adds the instances a store call's worth at a time; a failure after the first says what went in. */
const addAll = (experiment: ExperimentId, tasks: ReadonlyArray<ExpandedTask>) =>
  Effect.gen(function* () {
    const store = yield* Store
    const taskIds: Array<TaskId> = []
    const keys: Array<string> = []
    for (const batch of Arr.chunksOf(tasks, maxTasksLeasedAtBirth)) {
      const added = yield* store
        .addTasks(experiment, batch)
        .pipe(
          Effect.tapError(() =>
            taskIds.length === 0
              ? Effect.void
              : Console.error(`${taskIds.length} of ${tasks.length} task(s) were added before this failure:`),
          ),
        )
      taskIds.push(...added.taskIds)
      keys.push(...added.keys)
    }
    return { taskIds, keys }
  })

// Keys are what `experiment logs` takes: named when few enough to read.
const keysNote = (keys: ReadonlyArray<string>) =>
  keys.length <= 10 ? `: ${keys.join(", ")}` : ` (${keys[0]} to ${keys[keys.length - 1]})`

export const addCommand = Command.make(
  "add",
  { ...storeOptions, id: experimentId, task, input: inputFlags, inputsFile, output },
  (flags) =>
    Effect.flatMap(instancesOf(flags), (located) =>
      Effect.gen(function* () {
        const store = yield* Store
        const experiment = (yield* store.getExperiment(flags.id)).experiment
        yield* requireOpen(experiment)
        const spec = yield* storedSpec(experiment)
        const tasks = yield* instantiateAll(spec, located)
        const { taskIds, keys } = yield* addAll(experiment.id, tasks)
        if (flags.output === "json") return yield* printJson({ taskIds, keys })
        yield* Console.error(
          `added ${taskIds.length} task(s) to experiment ${experiment.id}${keysNote(keys)}`,
        )
        yield* print(taskIds.map((id) => `${id}\n`).join(""))
      }).pipe(asUserErrors, Effect.provide(storeLayer(flags))),
    ),
).pipe(
  Command.withDescription(
    "Add task instances (a task of the spec with its inputs) to an open experiment; prints their task ids.",
  ),
)
