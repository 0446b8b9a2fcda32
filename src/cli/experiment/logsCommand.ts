/**
 * `airavata experiment logs ID TASK_KEY [--attempt N] [--stream stdout|stderr]`: the output chunks
 * workers stored for one attempt (the latest by default), in order. Without `--stream`, the task's
 * stdout goes to stdout and its stderr to stderr; with it, the chosen stream goes to stdout.
 */
import { Args, Command, Options } from "@effect/cli"
import { Chunk, Console, Effect, Option, Stream } from "effect"
import { Attempt, type TaskId } from "../../domain/Ids.js"
import { Store } from "../../ports/Store.js"
import { LogQuery, LogStream } from "../../ports/StoreModel.js"
import { InvalidInput } from "../InvalidInput.js"
import { storeLayer, storeOptions } from "../storeTarget.js"
import { StdoutClosed, writeStdout } from "../writeStdout.js"
import { experimentId } from "./experimentOptions.js"
import { findTaskByKey } from "./experimentTasks.js"
import { asUserErrors } from "./userErrors.js"

const taskKey = Args.text({ name: "TASK_KEY" }).pipe(
  Args.withDescription("Task key, e.g. grid[3] (see `experiment tasks`)"),
)
const attempt = Options.integer("attempt").pipe(
  Options.optional,
  Options.withDescription("Attempt number, from 1 (default: the latest)"),
)
const stream = Options.choice("stream", LogStream.literals).pipe(
  Options.optional,
  Options.withDescription("Print only this stream, to stdout"),
)

const PAGE = 1000

/** The stored chunks of one stream of an attempt, in `seq` order, read a page at a time. */
const chunks = (taskId: TaskId, attempt: Attempt, stream: LogStream) =>
  Stream.unwrap(
    Effect.map(Store, (store) =>
      Stream.paginateChunkEffect(0, (fromSeq) =>
        Effect.map(
          store.readLogs(LogQuery.make({ taskId, attempt, stream, fromSeq, limit: PAGE })),
          (entries) => {
            const last = entries.at(-1)
            const next =
              entries.length < PAGE || last === undefined ? Option.none() : Option.some(last.seq + 1)
            return [Chunk.fromIterable(entries.map((entry) => entry.data)), next] as const
          },
        ),
      ),
    ),
  )

const writeStderr = (text: string): Effect.Effect<void, StdoutClosed> =>
  Effect.async<void, StdoutClosed>((resume) => {
    process.stderr.write(text, (error) => {
      resume(error ? Effect.fail(new StdoutClosed({ message: error.message })) : Effect.void)
    })
  })

export const logsCommand = Command.make(
  "logs",
  { ...storeOptions, id: experimentId, taskKey, attempt, stream },
  (flags) =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.getExperiment(flags.id)
      const task = yield* findTaskByKey(flags.id, flags.taskKey)
      if (task.attempt === 0) {
        return yield* Console.error(`task ${task.key} has not started yet: no output`)
      }
      const chosen = Option.getOrElse(flags.attempt, () => task.attempt)
      if (chosen < 1 || chosen > task.attempt) {
        return yield* new InvalidInput({
          message: `--attempt: task ${task.key} has attempts 1 to ${task.attempt}, got ${chosen}`,
        })
      }
      const number = Attempt.make(chosen)
      yield* Option.match(flags.stream, {
        onSome: (only) => writeStdout(chunks(task.id, number, only)),
        onNone: () =>
          Effect.zipRight(
            writeStdout(chunks(task.id, number, "stdout")),
            Stream.runForEach(chunks(task.id, number, "stderr"), writeStderr),
          ),
      })
    }).pipe(asUserErrors, Effect.provide(storeLayer(flags))),
).pipe(Command.withDescription("Print the output a task's attempt produced, as stored by the workers."))
