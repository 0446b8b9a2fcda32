/** `airavata experiment tasks ID [--status S] [--limit N] [--output table|json]`: key, status, attempt, worker, error. */
import { Command } from "@effect/cli"
import { Chunk, Effect, Option, Stream } from "effect"
import { Store } from "../../ports/Store.js"
import { storeLayer, storeOptions } from "../storeTarget.js"
import { experimentId, limit, output, print, printJson, taskStatus } from "./experimentOptions.js"
import { experimentTasks, taskWorker } from "./experimentTasks.js"
import { cell, renderTable } from "./renderTable.js"
import { asUserErrors } from "./userErrors.js"

const MAX_TASKS = 100_000

export const tasksCommand = Command.make(
  "tasks",
  {
    ...storeOptions,
    id: experimentId,
    status: taskStatus,
    limit: limit(100, MAX_TASKS, `Show at most N tasks, in submission order (1–${MAX_TASKS})`),
    output,
  },
  (flags) =>
    Effect.gen(function* () {
      const store = yield* Store
      // Listing tasks of an unknown experiment is an empty page to the Store; here it is an error.
      yield* store.getExperiment(flags.id)
      const status = Option.getOrUndefined(flags.status)
      const tasks = yield* experimentTasks(flags.id, status, flags.limit).pipe(
        Stream.take(flags.limit),
        Stream.mapEffect((task) => Effect.map(taskWorker(task), (worker) => ({ task, worker })), {
          concurrency: 4,
        }),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
      )
      if (flags.output === "json") {
        return yield* printJson({
          experimentId: flags.id,
          tasks: tasks.map(({ task, worker }) => ({
            id: task.id,
            key: task.key,
            status: task.status,
            attempt: task.attempt,
            worker: Option.getOrNull(worker),
            error: task.error ?? null,
          })),
        })
      }
      yield* print(
        renderTable(
          ["KEY", "STATUS", "ATTEMPT", "WORKER", "ERROR"],
          tasks.map(({ task, worker }) => [
            task.key,
            task.status,
            String(task.attempt),
            cell(Option.getOrUndefined(worker)),
            cell(task.error),
          ]),
        ),
      )
    }).pipe(asUserErrors, Effect.provide(storeLayer(flags))),
).pipe(
  Command.withDescription("List an experiment's tasks with their status, attempt, worker and last error."),
)
