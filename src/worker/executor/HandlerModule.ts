/** Loading handlers from a module whose default export is a record of handler functions. */
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, ParseResult, Schema } from "effect"
import { HandlerModuleError } from "./ExecutorErrors.js"
import type { TaskHandler } from "./TaskHandler.js"
import { TaskHandlers } from "./TaskHandlers.js"

// A function's parameters and result cannot be checked at load time; HandlerExecutor checks that
// each call returns an Effect and decodes what it yields.
const HandlerFunction = Schema.declare(
  (input: unknown): input is TaskHandler => typeof input === "function",
  {
    identifier: "TaskHandler",
    description: "a function (context) => Effect",
  },
)

const HandlerModuleShape = Schema.Struct({
  default: Schema.Record({ key: Schema.String, value: HandlerFunction }),
})

/**
 * Imports the module at `path` (relative to the current directory) and returns its handlers.
 * Fails with HandlerModuleError naming the path if the import throws or the default export is
 * not a record of functions.
 */
export const loadHandlerModule = (path: string): Effect.Effect<TaskHandlers, HandlerModuleError> => {
  const url = pathToFileURL(Path.resolve(path)).href
  return Effect.tryPromise({
    try: (): Promise<unknown> => import(url),
    catch: (error) =>
      new HandlerModuleError({ path, reason: error instanceof Error ? error.message : String(error) }),
  }).pipe(
    Effect.flatMap((module) =>
      Schema.decodeUnknown(HandlerModuleShape)(module).pipe(
        Effect.mapError(
          (error) =>
            new HandlerModuleError({ path, reason: ParseResult.TreeFormatter.formatErrorSync(error) }),
        ),
      ),
    ),
    Effect.map((module) => TaskHandlers.make(module.default)),
  )
}
