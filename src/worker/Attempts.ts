/**
 * The attempts a worker holds, started from the scheduler's assignments and stopped by its
 * cancellations, fenced by attempt number. At most `slots` run at once; assignments beyond that
 * (a worker that prefetches) wait for a slot, and one canceled while waiting just ends.
 * Shared by the worker runtime and the testing harness's in-process worker.
 *
 * This is the worker's hot path, so the bookkeeping is plain mutable state (JavaScript runs one
 * fiber at a time, and none of it spans a suspension): no fiber, Deferred or Ref per attempt.
 * Attempts run on at most `slots` runner fibers, each taking waiting attempts in order until none
 * is left; they are interrupted, running attempts with them, when the scope closes.
 */
import { Cause, Effect, Either, Fiber } from "effect"
import type { AssignedTask } from "../api/grpc/AssignedTask.js"
import { assignedAttempt, decodeTaskAssignmentEither } from "../api/grpc/AssignedTask.js"
import type { WorkerProto } from "../api/grpc/index.js"
import { isIdText } from "../domain/Ids.js"
import { TaskExecutor } from "./executor/index.js"
import type { Outgoing } from "./Outbox.js"
import { runAssignmentWith, statusUpdate } from "./runAssignment.js"

/** One assignment held by the worker, from its arrival until it ends or is canceled. */
interface Held {
  readonly task: AssignedTask
  readonly inputRefs: Readonly<Record<string, WorkerProto.UpstreamOutput>>
  /** Taken by a runner; until then it waits for a slot. */
  running: boolean
  /** Canceled: a waiting attempt never runs, a running one is told to stop. */
  canceled: boolean
  /** Resumes whatever waits on the cancel signal of a running attempt. */
  waiters: Array<(effect: Effect.Effect<void>) => void> | undefined
  /** Its end was counted (onFinished called). */
  ended: boolean
  /** When a runner took it (Clock nanos); undefined while it waits. */
  startedAt: bigint | undefined
}

export interface AttemptsOptions {
  readonly workerId: string
  /** Root of the attempt directories. */
  readonly workingDir: string
  readonly offer: (item: Outgoing) => Effect.Effect<unknown>
  /** Attempts run at once. */
  readonly slots: number
  /**
   * After an attempt ends, with how many are still held (running or waiting) and, if it ran, for
   * how long (ms; undefined for one that ended before a slot took it).
   */
  readonly onFinished: (left: number, ranMillis: number | undefined) => Effect.Effect<void>
}

export const makeAttempts = (options: AttemptsOptions) =>
  Effect.gen(function* () {
    const slots = Math.max(1, options.slots)
    const clock = yield* Effect.clock
    /** The latest assignment of each task. */
    const held = new Map<string, Held>()
    /** Assignments not ended yet, including one replaced by a newer assignment of its task. */
    let unfinished = 0
    /** Waiting for a slot, in arrival order; canceled ones stay in it and are skipped. */
    let waiting: Array<Held> = []
    let next = 0
    /** Entries of `waiting` not taken, canceled or handed back yet. */
    let waitingNow = 0
    let runners = 0
    const fibers = new Set<Fiber.RuntimeFiber<void>>()

    // Before the scope's end completes, running attempts are interrupted (they report nothing).
    yield* Effect.addFinalizer(() => Fiber.interruptAll([...fibers]))

    /** The next attempt waiting for a slot, if any. */
    const take = (): Held | undefined => {
      while (next < waiting.length) {
        const entry = waiting[next++]
        if (entry === undefined || entry.canceled) continue
        // A queue that never runs dry (prefetch under steady load) drops its taken head now and then.
        if (next >= 1024 && next * 2 >= waiting.length) {
          waiting = waiting.slice(next)
          next = 0
        }
        waitingNow--
        return entry
      }
      waiting = []
      next = 0
      return undefined
    }

    /** Counts `entry` out of what the worker holds; false when it was already. */
    const retire = (entry: Held): boolean => {
      if (entry.ended) return false
      entry.ended = true
      unfinished--
      if (held.get(entry.task.taskId) === entry) held.delete(entry.task.taskId)
      return true
    }

    /** Takes a waiting `entry` out of the queue for good: no runner will start it. */
    const unqueue = (entry: Held): void => {
      if (!entry.canceled) waitingNow--
      entry.canceled = true
    }

    const finish = (entry: Held): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (!retire(entry)) return Effect.void
        const ran =
          entry.startedAt === undefined
            ? undefined
            : Number(clock.unsafeCurrentTimeNanos() - entry.startedAt) / 1_000_000
        return options.onFinished(unfinished, ran)
      })

    /** Completes once the attempt is canceled; the executor races it against the attempt. */
    const cancelSignal = (entry: Held): Effect.Effect<void> =>
      Effect.async<void>((resume) => {
        if (entry.canceled) return resume(Effect.void)
        entry.waiters ??= []
        entry.waiters.push(resume)
        return Effect.sync(() => {
          const at = entry.waiters?.indexOf(resume) ?? -1
          if (at >= 0) entry.waiters?.splice(at, 1)
        })
      })

    /** Cancels `entry`: one waiting for a slot ends now, a running one stops (SIGTERM, grace, SIGKILL). */
    const stop = (entry: Held): Effect.Effect<void> => {
      if (!entry.running) {
        unqueue(entry)
        return finish(entry)
      }
      entry.canceled = true
      const waiters = entry.waiters
      entry.waiters = undefined
      if (waiters !== undefined) for (const resume of waiters) resume(Effect.void)
      return Effect.void
    }

    const runOne = (executor: TaskExecutor["Type"], entry: Held) =>
      runAssignmentWith(executor, entry.task, entry.inputRefs, {
        workerId: options.workerId,
        workingDir: options.workingDir,
        offer: options.offer,
        cancel: cancelSignal(entry),
      }).pipe(
        // A defect ends this attempt only, not the runner and the attempts waiting behind it.
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.failCause(cause)
            : Effect.logError(`attempt ${entry.task.attempt} of ${entry.task.taskId} died`, cause),
        ),
      )

    /** Runs waiting attempts one after another until none is left. */
    const runner = Effect.flatMap(TaskExecutor, (executor) => {
      let current: Held | undefined
      let idle = false
      const loop: Effect.Effect<void> = Effect.suspend(() => {
        const entry = take()
        if (entry === undefined) {
          // Counted off in the same step that found nothing, so a new arrival starts a runner.
          runners--
          idle = true
          return Effect.void
        }
        entry.running = true
        entry.startedAt = clock.unsafeCurrentTimeNanos()
        current = entry
        return Effect.flatMap(runOne(executor, entry), () => {
          current = undefined
          return Effect.zipRight(finish(entry), loop)
        })
      })
      return Effect.onExit(loop, () => {
        if (!idle) runners--
        return current === undefined ? Effect.void : finish(current)
      })
    })

    const startRunners = Effect.suspend(() => {
      const count = Math.min(slots - runners, waiting.length - next)
      if (count <= 0) return Effect.void
      runners += count
      return Effect.forEach(
        Array.from({ length: count }),
        () =>
          Effect.map(Effect.forkDaemon(runner), (fiber) => {
            fibers.add(fiber)
            fiber.addObserver(() => fibers.delete(fiber))
          }),
        { discard: true },
      )
    })

    /**
     * An assignment this worker cannot run still took one of its credits: the credit goes back, and
     * the attempt, when the assignment names its task, is reported FAILED with the reason, so the
     * scheduler retries it now instead of after the lease.
     */
    const refuse = (assignment: WorkerProto.TaskAssignment, message: string): Effect.Effect<void> => {
      const attempt = { taskId: assignment.taskId, attempt: assignedAttempt(assignment) }
      const report = isIdText(assignment.taskId)
        ? options.offer({
            _tag: "Status",
            update: statusUpdate(attempt, options.workerId, "FAILED", message, { errors: [message] }),
          })
        : Effect.void
      return Effect.zipRight(
        report,
        Effect.suspend(() => options.onFinished(unfinished, undefined)),
      )
    }

    /** Takes `assignment` on; what must follow (logs, ends of replaced attempts) goes to `after`. */
    const accept = (assignment: WorkerProto.TaskAssignment, after: Array<Effect.Effect<void>>) => {
      const decoded = decodeTaskAssignmentEither(assignment)
      if (Either.isLeft(decoded)) {
        after.push(Effect.logWarning(`refused assignment ${assignment.taskId}: ${decoded.left.reason}`))
        after.push(refuse(assignment, decoded.left.message))
        return
      }
      const task = decoded.right
      // A newer assignment of a task still held replaces it: the older one is canceled.
      const previous = held.get(task.taskId)
      if (previous !== undefined) after.push(stop(previous))
      const entry: Held = {
        task,
        inputRefs: assignment.inputRefs,
        running: false,
        canceled: false,
        waiters: undefined,
        ended: false,
        startedAt: undefined,
      }
      held.set(task.taskId, entry)
      unfinished++
      waitingNow++
      waiting.push(entry)
    }

    const start = (assignments: ReadonlyArray<WorkerProto.TaskAssignment>) =>
      Effect.suspend(() => {
        const after: Array<Effect.Effect<void>> = []
        for (const assignment of assignments) accept(assignment, after)
        return after.length === 0
          ? startRunners
          : Effect.zipRight(Effect.all(after, { discard: true }), startRunners)
      })

    // Attempt 0 (an original-protocol scheduler) cancels whatever attempt is running.
    const cancel = (message: WorkerProto.TaskCancellation) =>
      Effect.suspend(() => {
        const current = held.get(message.taskId)
        if (current === undefined || current.canceled) return Effect.void
        if (message.attempt !== 0 && message.attempt !== current.task.attempt) return Effect.void
        return Effect.zipRight(
          Effect.logInfo(`canceling ${message.taskId}: ${message.reason}`),
          Effect.suspend(() => (current.canceled ? Effect.void : stop(current))),
        )
      })

    /** Applies an assignment or a cancellation; other messages are left to the caller (false). */
    const handle = (message: WorkerProto.ServerMessage): Effect.Effect<boolean, never, TaskExecutor> => {
      const m = message.message
      switch (m?.$case) {
        case "taskAssignment":
          return Effect.as(start([m.value]), true)
        case "taskAssignmentBatch":
          return Effect.as(start(m.value.assignments), true)
        case "taskCancellation":
          return Effect.as(cancel(m.value), true)
        default:
          return Effect.succeed(false)
      }
    }

    /**
     * Gives up to `max` attempts still waiting for a slot, newest first, back to the scheduler
     * (reported QUEUED, so it requeues them unstarted). They end here without a credit coming back:
     * the worker holds fewer from now on.
     */
    const handBack = (max: number): Effect.Effect<number> =>
      max <= 0
        ? Effect.succeed(0)
        : Effect.suspend(() => {
            const given: Array<Held> = []
            for (let i = waiting.length - 1; i >= next && given.length < max; i--) {
              const entry = waiting[i]
              if (entry === undefined || entry.running || entry.canceled || entry.ended) continue
              unqueue(entry)
              retire(entry)
              given.push(entry)
            }
            return Effect.as(
              Effect.forEach(
                given,
                (entry) =>
                  options.offer({
                    _tag: "Status",
                    update: statusUpdate(entry.task, options.workerId, "QUEUED", "handed back unstarted"),
                  }),
                { discard: true },
              ),
              given.length,
            )
          })

    return {
      handle,
      handBack,
      /** Attempts waiting for a slot (held, not running). */
      waitingCount: () => waitingNow,
      /** The attempts held now, running or waiting for a slot. */
      active: Effect.sync(() =>
        [...held.values()].map((r) => ({ taskId: r.task.taskId, attempt: r.task.attempt })),
      ),
    } as const
  })
