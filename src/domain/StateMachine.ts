/**
 * Pure, total state machines. Each is a table of allowed moves; every status write in the system
 * goes through `transition`, so an illegal move is a typed error rather than a silent overwrite.
 */
import { Effect } from "effect"
import { IllegalTransition } from "./Errors.js"
import type { ExperimentStatus, TaskStatus, WorkerStatus } from "./Status.js"

export interface StateMachine<S extends string> {
  readonly entity: IllegalTransition["entity"]
  readonly states: ReadonlyArray<S>
  /** Statuses reachable in one move from `from`. */
  readonly next: (from: S) => ReadonlyArray<S>
  readonly canTransition: (from: S, to: S) => boolean
  readonly isTerminal: (status: S) => boolean
  /** Succeeds with `to` when the move is allowed, fails with IllegalTransition otherwise. */
  readonly transition: (from: S, to: S, id?: string) => Effect.Effect<S, IllegalTransition>
}

const make = <S extends string>(
  entity: IllegalTransition["entity"],
  table: { readonly [K in S]: ReadonlyArray<S> },
): StateMachine<S> => {
  const states = Object.keys(table) as Array<S>
  const next = (from: S) => table[from]
  const canTransition = (from: S, to: S) => table[from].includes(to)
  return {
    entity,
    states,
    next,
    canTransition,
    isTerminal: (status) => table[status].length === 0,
    transition: (from, to, id) =>
      canTransition(from, to)
        ? Effect.succeed(to)
        : Effect.fail(new IllegalTransition({ entity, from, to, ...(id === undefined ? {} : { id }) })),
  }
}

/**
 * CREATED → EXECUTING ⇄ PAUSED → COMPLETED | FAILED | CANCELED. A FAILED experiment goes back to
 * EXECUTING when its failed tasks are retried; COMPLETED and CANCELED are final.
 */
export const ExperimentMachine = make<ExperimentStatus>("experiment", {
  CREATED: ["EXECUTING", "CANCELED"],
  EXECUTING: ["PAUSED", "COMPLETED", "FAILED", "CANCELED"],
  PAUSED: ["EXECUTING", "COMPLETED", "FAILED", "CANCELED"],
  COMPLETED: [],
  FAILED: ["EXECUTING"],
  CANCELED: [],
})

/**
 * CREATED (waiting on dependencies) → QUEUED → DATA_STAGING → ENV_SETUP → RUNNING →
 * OUTPUT_STAGING → COMPLETED. A claim moves QUEUED → DATA_STAGING; any leased state can fail,
 * be canceled, or go back to QUEUED (lease lost, retry). FAILED goes back to QUEUED on an explicit
 * retry, so it is final only for the run that produced it. CANCELED goes back to CREATED only by
 * that same retry, and only for a task canceled because an upstream task failed (a canceled
 * experiment is final, so its tasks stay CANCELED). Only COMPLETED is final.
 */
export const TaskMachine = make<TaskStatus>("task", {
  CREATED: ["QUEUED", "FAILED", "CANCELED"],
  QUEUED: ["DATA_STAGING", "FAILED", "CANCELED"],
  DATA_STAGING: ["ENV_SETUP", "QUEUED", "FAILED", "CANCELED"],
  ENV_SETUP: ["RUNNING", "QUEUED", "FAILED", "CANCELED"],
  RUNNING: ["OUTPUT_STAGING", "QUEUED", "FAILED", "CANCELED"],
  OUTPUT_STAGING: ["COMPLETED", "QUEUED", "FAILED", "CANCELED"],
  COMPLETED: [],
  FAILED: ["QUEUED"],
  CANCELED: ["CREATED"],
})

/** The forward progress of a leased task, in order. */
const taskProgress: ReadonlyArray<TaskStatus> = [
  "DATA_STAGING",
  "ENV_SETUP",
  "RUNNING",
  "OUTPUT_STAGING",
  "COMPLETED",
]

/**
 * The chain of single moves that takes a task from `from` to `to`, for reports that skip steps
 * (a worker with nothing to stage reports RUNNING straight after the claim). Fails when no legal
 * chain exists; the chain never passes through QUEUED, FAILED or CANCELED.
 */
export const taskPath = (
  from: TaskStatus,
  to: TaskStatus,
  id?: string,
): Effect.Effect<ReadonlyArray<TaskStatus>, IllegalTransition> => {
  if (TaskMachine.canTransition(from, to)) return Effect.succeed([to])
  const start = taskProgress.indexOf(from)
  const end = taskProgress.indexOf(to)
  return start >= 0 && end > start
    ? Effect.succeed(taskProgress.slice(start + 1, end + 1))
    : Effect.fail(new IllegalTransition({ entity: "task", from, to, ...(id === undefined ? {} : { id }) }))
}

/**
 * REGISTERED → IDLE ⇄ BUSY → DRAINING → TERMINATED. A worker whose stream drops is DISCONNECTED
 * and becomes IDLE again when it reconnects; TERMINATED is final.
 */
export const WorkerMachine = make<WorkerStatus>("worker", {
  REGISTERED: ["IDLE", "DISCONNECTED", "TERMINATED"],
  IDLE: ["BUSY", "DRAINING", "DISCONNECTED", "TERMINATED"],
  BUSY: ["IDLE", "DRAINING", "DISCONNECTED", "TERMINATED"],
  DRAINING: ["DISCONNECTED", "TERMINATED"],
  DISCONNECTED: ["IDLE", "TERMINATED"],
  TERMINATED: [],
})
