/** The registry of in-process handlers a worker offers, with the built-in `noop` and `sleep`. */
import { Effect, Option } from "effect"
import { HandlerError } from "./ExecutorErrors.js"
import type { TaskHandler } from "./TaskHandler.js"

/** Succeeds at once: measures the scheduler's own overhead per task. */
export const noopHandler: TaskHandler = () => Effect.void

/** Sleeps for input `ms` milliseconds on Effect's Clock (so TestClock drives it). */
export const sleepHandler: TaskHandler = (context) => {
  const raw = context.inputs.ms
  const ms = raw === undefined ? Number.NaN : Number(raw)
  return Number.isSafeInteger(ms) && ms >= 0
    ? Effect.sleep(ms)
    : Effect.fail(
        new HandlerError({ message: `sleep: input "ms" must be a non-negative integer, got ${raw}` }),
      )
}

/** An immutable name → handler registry. */
export class TaskHandlers {
  private constructor(private readonly byName: ReadonlyMap<string, TaskHandler>) {}

  static make(handlers: Readonly<Record<string, TaskHandler>>): TaskHandlers {
    return new TaskHandlers(new Map(Object.entries(handlers)))
  }

  static readonly empty: TaskHandlers = TaskHandlers.make({})

  /** `noop` and `sleep`. */
  static readonly builtin: TaskHandlers = TaskHandlers.make({ noop: noopHandler, sleep: sleepHandler })

  get(name: string): Option.Option<TaskHandler> {
    return Option.fromNullable(this.byName.get(name))
  }

  get names(): ReadonlyArray<string> {
    return [...this.byName.keys()].sort()
  }

  /** A registry with both sets of handlers; `other` wins on a name clash. */
  merge(other: TaskHandlers): TaskHandlers {
    return new TaskHandlers(new Map([...this.byName, ...other.byName]))
  }
}
