/**
 * The handler module the benchmark's `airavata worker` loads with `--handlers`: one no-op handler
 * that stamps its start and end (HandlerRecorder) and prints the `Report` line on the worker's
 * stdout once the expected number of tasks has ended. The worker is the compiled CLI, which cannot
 * import TypeScript: buildHandlerModule.ts bundles this file to plain ESM first.
 */
import { Effect, Option, Schema } from "effect"
import type { TaskHandler } from "../../../src/worker/executor/TaskHandler.js"
import { makeHandlerRecorder } from "../HandlerRecorder.js"
import { emit } from "../WorkerProtocol.js"
import { expectedVariable, handlerName, submitTimeInput } from "./workerContract.js"

// Read once at import: a bad value makes the worker's module load fail with this message.
const expected = Schema.decodeUnknownSync(Schema.NumberFromString.pipe(Schema.int(), Schema.positive()))(
  process.env[expectedVariable],
)
const recorder = Effect.runSync(makeHandlerRecorder(expected))
// The worker owns the process's fibers; this one only waits for the last end and prints the report.
Effect.runFork(Effect.flatMap(recorder.done, emit))

const decodeSubmitTime = Schema.decodeUnknownOption(Schema.NumberFromString)

const bench: TaskHandler = (context) =>
  Effect.sync(() => {
    recorder.start(
      Option.match(decodeSubmitTime(context.inputs[submitTimeInput]), {
        onNone: () => ({}),
        onSome: (t) => ({ t }),
      }),
    )
    recorder.end()
  })

export default { [handlerName]: bench }
