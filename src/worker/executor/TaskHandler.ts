/**
 * In-process task handlers: Effect functions registered by name that run instead of a script, for
 * embedding users and for measuring the scheduler without process start-up cost.
 */
import { type Effect, Schema } from "effect"
import type { HandlerError } from "./ExecutorErrors.js"
import type { OutputStreamName } from "./TaskEvent.js"

export interface HandlerContext {
  readonly taskId: string
  readonly experimentId: string
  readonly key: string
  readonly attempt: number
  readonly inputs: Readonly<Record<string, string>>
  /**
   * Declared outputs: name → absolute path inside `workingDir` where the handler should write it.
   * When any are declared, the attempt directory exists before the handler starts.
   */
  readonly outputs: Readonly<Record<string, string>>
  /** The environment a script of this attempt would see (TaskEnvironment); reading it creates `workingDir`. */
  readonly environment: Readonly<Record<string, string>>
  /**
   * The attempt directory, created empty when first read: a handler that never reads it (nor
   * `environment`, nor logs, nor declares outputs) leaves no directory behind.
   */
  readonly workingDir: string
  /** Emits one line of output (a newline is appended), streamed and written to the stream's log file. */
  readonly log: (line: string, stream?: OutputStreamName) => Effect.Effect<void>
}

/** What a handler may succeed with besides nothing; `metadata` ends up in TaskResult.metadata. */
export const HandlerResult = Schema.Struct({
  metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
})
export type HandlerResult = typeof HandlerResult.Type

/**
 * A handler: fail with HandlerError for a task failure. Timeout and cancellation interrupt its fiber,
 * so it should acquire resources with Scope/acquireRelease and measure time with Effect's Clock.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to report returns Effect.void.
export type TaskHandler = (context: HandlerContext) => Effect.Effect<HandlerResult | void, HandlerError>
