/** What a worker reports when an attempt ends. */
import { Schema } from "effect"
import { FileMetadata } from "./Data.js"
import { metadataField, NonNegativeInt, NonNegativeNumber } from "./Fields.js"
import { Attempt, TaskId } from "./Ids.js"

/** Resources one attempt consumed, as measured on the worker; unmeasured values are 0. */
export class ResourceUsage extends Schema.Class<ResourceUsage>("ResourceUsage")({
  cpuSeconds: Schema.optionalWith(NonNegativeNumber, { default: () => 0 }),
  /** Peak resident memory. */
  memoryMB: Schema.optionalWith(NonNegativeNumber, { default: () => 0 }),
  diskIOBytes: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  networkIOBytes: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  gpuSeconds: Schema.optionalWith(NonNegativeNumber, { default: () => 0 }),
  walltimeSeconds: Schema.optionalWith(NonNegativeNumber, { default: () => 0 }),
}) {}

/** The outcome of one attempt; `error` is required when it did not succeed. */
export class TaskResult extends Schema.Class<TaskResult>("TaskResult")(
  Schema.Struct({
    taskId: TaskId,
    attempt: Attempt,
    success: Schema.Boolean,
    exitCode: Schema.optional(Schema.Int),
    /** Outputs written, with their measured sizes and checksums. */
    outputFiles: Schema.optionalWith(Schema.Array(FileMetadata), { default: () => [] }),
    durationMs: NonNegativeInt,
    resourceUsage: Schema.optionalWith(ResourceUsage, { default: () => ResourceUsage.make({}) }),
    error: Schema.optional(Schema.String),
    metadata: metadataField,
  }).pipe(
    Schema.filter(
      (r) =>
        r.success ||
        r.error !== undefined || { path: ["error"], message: "expected an error for a failed attempt" },
    ),
  ),
) {}
