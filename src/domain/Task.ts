/**
 * A task: one instance of an expanded spec task, the unit that is claimed, leased, run and retried.
 * The lease invariants are checked on decode, so a row that breaks them never enters the program.
 */
import { Schema } from "effect"
import { FileMetadata } from "./Data.js"
import { metadataField, NonNegativeInt, Timestamp } from "./Fields.js"
import { Attempt, ComputeResourceId, ExperimentId, TaskId, WorkerId } from "./Ids.js"
import { ResourceRequirements } from "./Requirements.js"
import { RetryPolicy } from "./RetryPolicy.js"
import { activeTaskStatuses, TaskStatus } from "./Status.js"
import { InputValue } from "./spec/ExpandedTask.js"

const isLeased = (status: TaskStatus): boolean =>
  (activeTaskStatuses as ReadonlyArray<TaskStatus>).includes(status)

const TaskFields = Schema.Struct({
  id: TaskId,
  experimentId: ExperimentId,
  /** `${name}[${index}]`, unique within the experiment (see ExpandedTask). */
  key: Schema.NonEmptyString,
  /** The spec's task name. */
  name: Schema.NonEmptyString,
  /** 0-based instance index within the task's sweep. */
  index: NonNegativeInt,
  status: Schema.optionalWith(TaskStatus, { default: () => "CREATED" }),
  /** Number of the current (or last) attempt; 0 until the first claim, each claim adds one. */
  attempt: Schema.optionalWith(Attempt, { default: () => Attempt.make(0) }),
  retry: Schema.optionalWith(RetryPolicy, { default: () => RetryPolicy.make({}) }),
  requirements: Schema.optionalWith(ResourceRequirements, { default: () => ResourceRequirements.make({}) }),
  /**
   * Claim order, 0 (lowest) to 10: starts as `requirements.priority` and is kept in its own column
   * so an operator can reorder queued work without rewriting requirements.
   */
  priority: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 10)), { default: () => 5 }),
  /** The shell script to run; inputs reach it as environment variables. */
  script: Schema.String,
  /** Name of an in-process handler to run instead of the script. */
  handler: Schema.optional(Schema.String),
  inputs: Schema.optionalWith(Schema.Record({ key: Schema.String, value: InputValue }), {
    default: () => ({}),
  }),
  /** Declared outputs: name → file name relative to the working directory. */
  outputs: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
    default: () => ({}),
  }),
  environment: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
    default: () => ({}),
  }),
  /** Files staged into the working directory before the script starts. */
  inputFiles: Schema.optionalWith(Schema.Array(FileMetadata), { default: () => [] }),
  /** Upstream tasks not yet COMPLETED; the task is queued when this reaches 0. */
  pendingDependencies: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  /** Worker holding the lease of the current attempt. */
  leaseOwner: Schema.optional(WorkerId),
  /** The lease lapses (and the reaper requeues the task) unless heartbeats extend it past this. */
  leaseExpiresAt: Schema.optional(Timestamp),
  /** Not claimable before this time: the persisted retry backoff. */
  notBefore: Schema.optional(Timestamp),
  /** Where the current or last attempt ran. */
  computeResourceId: Schema.optional(ComputeResourceId),
  /** Last error message. */
  error: Schema.optional(Schema.String),
  metadata: metadataField,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** Set when the first attempt starts RUNNING. */
  startedAt: Schema.optional(Timestamp),
  /** Set on COMPLETED, FAILED or CANCELED. */
  completedAt: Schema.optional(Timestamp),
})

/** Lease ⇔ leased status; leased and queued tasks have no pending dependencies; a lease implies an attempt. */
const taskInvariants = (t: typeof TaskFields.Type) => {
  const leased = isLeased(t.status)
  return [
    (t.leaseOwner === undefined) === (t.leaseExpiresAt === undefined) || {
      path: ["leaseExpiresAt"],
      message: "expected leaseOwner and leaseExpiresAt to be both set or both absent",
    },
    leased === (t.leaseOwner !== undefined) || {
      path: ["leaseOwner"],
      message: leased
        ? `expected a lease owner for a task in ${t.status}`
        : `expected no lease owner for a task in ${t.status}`,
    },
    !leased || t.attempt >= 1 || { path: ["attempt"], message: `expected an attempt ≥ 1 in ${t.status}` },
    !(leased || t.status === "QUEUED") ||
      t.pendingDependencies === 0 || {
        path: ["pendingDependencies"],
        message: `expected no pending dependencies in ${t.status}`,
      },
  ]
}

/** A task instance as stored: its definition, its progress and its current lease. */
export class Task extends Schema.Class<Task>("Task")(TaskFields.pipe(Schema.filter(taskInvariants))) {}
