/**
 * What `runTask` emits while an attempt runs: `TaskStarted`, then `TaskOutput` chunks in order, then
 * exactly one `TaskFinished` carrying the `TaskResult`, after which the stream ends.
 */
import { Schema } from "effect"
import { assemble } from "./internal/assemble.js"

/** Largest `OutputChunk.data`, in UTF-8 bytes. */
export const MAX_CHUNK_BYTES = 64 * 1024

export const OutputStreamName = Schema.Literal("stdout", "stderr")
export type OutputStreamName = typeof OutputStreamName.Type

/** A piece of a task's output: at most MAX_CHUNK_BYTES of UTF-8; `seq` counts chunks of both streams from 0. */
export class OutputChunk extends Schema.Class<OutputChunk>("OutputChunk")({
  stream: OutputStreamName,
  seq: Schema.Int.pipe(Schema.nonNegative()),
  data: Schema.String,
}) {}

/** A declared output that exists after the attempt, as a regular file inside the attempt directory. */
export class OutputFile extends Schema.Class<OutputFile>("OutputFile")({
  /** The output's declared name. */
  name: Schema.String,
  /** Absolute path. */
  path: Schema.String,
  size: Schema.Int.pipe(Schema.nonNegative()),
  /** Lower-case hex SHA-256 of the content. */
  sha256: Schema.String,
}) {}

export const TaskOutcome = Schema.Literal("succeeded", "failed", "timedOut", "canceled")
export type TaskOutcome = typeof TaskOutcome.Type

export class TaskResult extends Schema.Class<TaskResult>("TaskResult")({
  /**
   * `succeeded`: exit code 0 / the handler succeeded; `failed`: anything else that ended on its own;
   * `timedOut` / `canceled`: the executor stopped it (SIGTERM, then SIGKILL after the grace period).
   */
  outcome: TaskOutcome,
  /** The script's exit code; null when it died of a signal, and for handlers. */
  exitCode: Schema.NullOr(Schema.Int),
  /** The signal that ended the script (e.g. "SIGKILL"), else null. */
  signal: Schema.NullOr(Schema.String),
  /** Clock time from start to the end of the attempt. */
  durationMs: Schema.Number,
  /** Human-readable summary, suitable for a status report's message. */
  message: Schema.String,
  /** The attempt directory; a handler's exists only if it was used (see HandlerContext.workingDir). */
  workingDir: Schema.String,
  outputs: Schema.Array(OutputFile),
  /** Declared output names with no regular file inside the attempt directory. */
  missingOutputs: Schema.Array(Schema.String),
  /** Metadata returned by a handler; empty for scripts. */
  metadata: Schema.Record({ key: Schema.String, value: Schema.String }),
}) {
  get succeeded(): boolean {
    return this.outcome === "succeeded"
  }
  get timedOut(): boolean {
    return this.outcome === "timedOut"
  }
  get canceled(): boolean {
    return this.outcome === "canceled"
  }
}

/** The attempt's directory is ready and the script process (or handler fiber) has started. */
export class TaskStarted extends Schema.TaggedClass<TaskStarted>()("TaskStarted", {
  kind: Schema.Literal("script", "handler"),
  workingDir: Schema.String,
  /** The script's process id (also its process group id); null for handlers. */
  pid: Schema.NullOr(Schema.Int),
}) {}

export class TaskOutput extends Schema.TaggedClass<TaskOutput>()("TaskOutput", {
  chunk: OutputChunk,
}) {}

export class TaskFinished extends Schema.TaggedClass<TaskFinished>()("TaskFinished", {
  result: TaskResult,
}) {}

export const TaskEvent = Schema.Union(TaskStarted, TaskOutput, TaskFinished)
export type TaskEvent = typeof TaskEvent.Type

// Unvalidated constructors, for events the executor makes from its own values (see assemble).

export const makeTaskStarted = (fields: ConstructorParameters<typeof TaskStarted>[0]): TaskStarted =>
  assemble(TaskStarted, {
    _tag: "TaskStarted",
    kind: fields.kind,
    workingDir: fields.workingDir,
    pid: fields.pid,
  })

export const makeTaskOutput = (chunk: OutputChunk): TaskOutput =>
  assemble(TaskOutput, { _tag: "TaskOutput", chunk })

export const makeTaskFinished = (result: TaskResult): TaskFinished =>
  assemble(TaskFinished, { _tag: "TaskFinished", result })

export const makeTaskResult = (fields: ConstructorParameters<typeof TaskResult>[0]): TaskResult =>
  assemble(TaskResult, fields)

export const makeOutputChunk = (fields: ConstructorParameters<typeof OutputChunk>[0]): OutputChunk =>
  assemble(OutputChunk, fields)
