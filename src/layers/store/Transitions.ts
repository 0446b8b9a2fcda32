/**
 * The bridge between the pure state machines and set-based SQL. Statements that move many rows at
 * once take their source statuses from the machine, so SQL can only perform moves it allows.
 */
import { Effect } from "effect"
import { ExperimentMachine, TaskMachine } from "../../domain/StateMachine.js"
import type { ExperimentStatus, TaskStatus } from "../../domain/Status.js"

/** Task statuses from which the machine allows a move to `to`. */
export const taskSources = (to: TaskStatus): ReadonlyArray<TaskStatus> =>
  TaskMachine.states.filter((from) => TaskMachine.canTransition(from, to))

/** Experiment statuses from which the machine allows a move to `to`. */
export const experimentSources = (to: ExperimentStatus): ReadonlyArray<ExperimentStatus> =>
  ExperimentMachine.states.filter((from) => ExperimentMachine.canTransition(from, to))

/**
 * For statements whose literal statuses an index depends on (the claim, dependency release):
 * a defect if the machine stopped allowing the move the SQL hard-codes.
 */
export const requireTaskMove = (from: TaskStatus, to: TaskStatus): Effect.Effect<void> =>
  TaskMachine.canTransition(from, to)
    ? Effect.void
    : Effect.dieMessage(`store SQL moves tasks ${from} → ${to}, which TaskMachine forbids`)
