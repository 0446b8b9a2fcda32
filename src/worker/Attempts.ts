/**
 * The attempts a worker holds: one fiber each (FiberMap, interrupted with the scope), started from
 * the scheduler's assignments and stopped by its cancellations, fenced by attempt number. At most
 * `slots` run at once; assignments beyond that (a worker that prefetches) wait for a slot, and one
 * canceled while waiting just ends.
 * Shared by the worker runtime and the testing harness's in-process worker.
 */
import { Deferred, Effect, FiberMap, Ref } from "effect"
import { decodeTaskAssignment } from "../api/grpc/AssignedTask.js"
import type { WorkerProto } from "../api/grpc/index.js"
import type { TaskExecutor } from "./executor/index.js"
import type { Outgoing } from "./Outbox.js"
import { runAssignment } from "./runAssignment.js"

interface Running {
  readonly attempt: number
  readonly cancel: Deferred.Deferred<void>
}

export interface AttemptsOptions {
  readonly workerId: string
  /** Root of the attempt directories. */
  readonly workingDir: string
  readonly offer: (item: Outgoing) => Effect.Effect<unknown>
  /** Attempts run at once. */
  readonly slots: number
  /** After an attempt ends, with how many are still running. */
  readonly onFinished: (left: number) => Effect.Effect<void>
}

export const makeAttempts = (options: AttemptsOptions) =>
  Effect.gen(function* () {
    const running = yield* Ref.make(new Map<string, Running>())
    const fibers = yield* FiberMap.make<string>()
    const slots = yield* Effect.makeSemaphore(Math.max(1, options.slots))

    const finished = (taskId: string) =>
      Ref.modify(running, (map) => {
        const next = new Map(map)
        next.delete(taskId)
        return [next.size, next] as const
      }).pipe(Effect.flatMap(options.onFinished))

    const start = (assignment: WorkerProto.TaskAssignment) =>
      Effect.gen(function* () {
        const task = yield* decodeTaskAssignment(assignment)
        const cancel = yield* Deferred.make<void>()
        yield* Ref.update(running, (map) => new Map(map).set(task.taskId, { attempt: task.attempt, cancel }))
        const started = yield* Deferred.make<void>()
        const run = slots.withPermits(1)(
          Deferred.succeed(started, undefined).pipe(
            Effect.zipRight(
              runAssignment(task, assignment.inputRefs, {
                workerId: options.workerId,
                workingDir: options.workingDir,
                offer: options.offer,
                cancel: Deferred.await(cancel),
              }),
            ),
          ),
        )
        // Canceled before it got a slot: nothing ran, nothing to report. Once started, the attempt
        // handles its cancellation itself (SIGTERM, grace, SIGKILL).
        const canceledWhileWaiting = Deferred.await(cancel).pipe(
          Effect.zipRight(Deferred.isDone(started)),
          Effect.flatMap((isStarted) => (isStarted ? Effect.never : Effect.void)),
        )
        yield* FiberMap.run(
          fibers,
          task.taskId,
          Effect.raceFirst(run, canceledWhileWaiting).pipe(Effect.ensuring(finished(task.taskId))),
        )
      }).pipe(
        Effect.catchTag("InvalidWireMessage", (e) =>
          Effect.logWarning(`ignored assignment ${assignment.taskId}: ${e.reason}`),
        ),
      )

    // Attempt 0 (an original-protocol scheduler) cancels whatever attempt is running.
    const cancel = (message: WorkerProto.TaskCancellation) =>
      Effect.gen(function* () {
        const current = (yield* Ref.get(running)).get(message.taskId)
        if (current === undefined) return
        if (message.attempt !== 0 && message.attempt !== current.attempt) return
        yield* Effect.logInfo(`canceling ${message.taskId}: ${message.reason}`)
        yield* Deferred.succeed(current.cancel, undefined)
      })

    /** Applies an assignment or a cancellation; other messages are left to the caller (false). */
    const handle = (message: WorkerProto.ServerMessage): Effect.Effect<boolean, never, TaskExecutor> => {
      const m = message.message
      switch (m?.$case) {
        case "taskAssignment":
          return Effect.as(start(m.value), true)
        case "taskAssignmentBatch":
          return Effect.as(Effect.forEach(m.value.assignments, start, { discard: true }), true)
        case "taskCancellation":
          return Effect.as(cancel(m.value), true)
        default:
          return Effect.succeed(false)
      }
    }

    return {
      handle,
      /** The attempts running now. */
      active: Effect.map(Ref.get(running), (map) =>
        [...map.entries()].map(([taskId, r]) => ({ taskId, attempt: r.attempt })),
      ),
    } as const
  })
