/**
 * The worker runtime: register with a scheduler, open the PollForTask stream, offer free slots as
 * credits, run what is assigned (one fiber per attempt), report, heartbeat, and reconnect with
 * exponential backoff when the stream drops. When the runtime is interrupted (SIGTERM) it drains:
 * no new credits, running attempts get `drainTimeout` to finish and report, the rest are handed
 * back by closing the stream (the scheduler requeues them at once).
 */
import { Deferred, Duration, Effect, Fiber, Redacted, Ref, Schedule, Stream } from "effect"
import { durationFromProto, makeWorkerGrpcClient, type PollSession, WorkerProto } from "../api/grpc/index.js"
import { makeAttempts } from "./Attempts.js"
import type { TaskExecutor } from "./executor/index.js"
import { Outbox, pumpOutbox } from "./Outbox.js"
import { PrefetchWindow } from "./PrefetchWindow.js"
import type { WorkerConfig } from "./WorkerConfig.js"
import { WorkerRejected } from "./WorkerErrors.js"

/** One connection: returns when the server ends the stream; fails when it breaks. */
const connectOnce = (config: WorkerConfig, draining: Ref.Ref<boolean>) =>
  Effect.gen(function* () {
    const token = Redacted.value(config.token)
    const client = yield* makeWorkerGrpcClient({
      address: config.serverAddress,
      metadata: { authorization: `Bearer ${token}`, "x-airavata-worker-id": config.workerId },
    })
    const registration = yield* client.registerWorker(
      WorkerProto.WorkerRegistrationRequest.fromPartial({
        workerId: config.workerId,
        computeResourceId: config.computeResourceId ?? "",
        authToken: token,
        slots: config.slots,
        capabilities: {
          maxCpuCores: config.capabilities.cpuCores,
          maxMemoryMb: config.capabilities.memoryMB,
          maxDiskGb: config.capabilities.diskGB,
          maxGpus: config.capabilities.gpus,
          supportedRuntimes: ["bash", "handler"],
        },
      }),
    )
    if (!registration.success)
      return yield* new WorkerRejected({ workerId: config.workerId, reason: registration.message })
    const heartbeatEvery = registration.config?.heartbeatInterval
      ? durationFromProto(registration.config.heartbeatInterval)
      : config.heartbeatInterval

    const session: PollSession = yield* client.pollForTask()
    const outbox = new Outbox()
    const offer = outbox.offer
    const clock = yield* Effect.clock
    const window = new PrefetchWindow(config.slots, config.prefetch ?? "auto")
    const sendCredits = (credits: number) =>
      Effect.suspend(() => {
        if (credits === 0) return Effect.void
        window.sent(credits, clock.unsafeCurrentTimeMillis())
        return offer({ _tag: "Credits", credits })
      })
    const idle = yield* Ref.make<Deferred.Deferred<void> | undefined>(undefined)
    const attempts = yield* makeAttempts({
      workerId: config.workerId,
      workingDir: config.workingDir,
      offer,
      slots: config.slots,
      // Once per task: plain combinators rather than Effect.gen.
      onFinished: (left, ranMillis): Effect.Effect<void> =>
        Effect.flatMap(Ref.get(draining), (isDraining) => {
          const credit: Effect.Effect<void> = isDraining
            ? Effect.void
            : Effect.zipRight(
                sendCredits(window.finished(ranMillis)),
                Effect.suspend(() => attempts.handBack(window.surplus(attempts.waitingCount()))),
              )
          if (left > 0) return credit
          return Effect.zipRight(
            credit,
            Effect.flatMap(Ref.get(idle), (waiter) =>
              waiter === undefined ? Effect.void : Deferred.succeed(waiter, undefined),
            ),
          )
        }),
    })

    const handle = (message: WorkerProto.ServerMessage) =>
      Effect.flatMap(noteAssigned(message), (handled) =>
        !handled && message.message?.$case === "workerShutdown"
          ? Effect.logInfo(`scheduler asked to shut down: ${message.message.value.reason}`).pipe(
              Effect.zipRight(Ref.set(draining, true)),
            )
          : Effect.void,
      )

    /** Applies `message`; assignments answer credits, which times the round trip. */
    const noteAssigned = (message: WorkerProto.ServerMessage) =>
      Effect.suspend(() => {
        const m = message.message
        const count =
          m?.$case === "taskAssignment"
            ? 1
            : m?.$case === "taskAssignmentBatch"
              ? m.value.assignments.length
              : 0
        if (count > 0) window.assigned(count, clock.unsafeCurrentTimeMillis())
        return attempts.handle(message)
      })

    const heartbeat = Effect.gen(function* () {
      const active = yield* attempts.active
      yield* offer({
        _tag: "Heartbeat",
        heartbeat: WorkerProto.Heartbeat.fromPartial({
          workerId: config.workerId,
          status:
            active.length > 0
              ? WorkerProto.WorkerStatus.WORKER_STATUS_BUSY
              : WorkerProto.WorkerStatus.WORKER_STATUS_IDLE,
          currentTaskId: active[0]?.taskId ?? "",
          activeTasks: active,
        }),
      })
    })

    const pump = yield* pumpOutbox(config.workerId, outbox, session.send).pipe(Effect.forkScoped)
    yield* heartbeat.pipe(Effect.repeat(Schedule.spaced(heartbeatEvery)), Effect.forkScoped)
    yield* sendCredits(window.initial())
    yield* Effect.logInfo(
      `worker ${config.workerId} connected to ${config.serverAddress} with ${config.slots} slot(s)`,
    )

    // Drain: runs before the fibers above are stopped (finalizers run in reverse order).
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        yield* Ref.set(draining, true)
        // What has not started goes back now, for another worker, instead of running here first.
        const handedBack = yield* attempts.handBack(Number.POSITIVE_INFINITY)
        if (handedBack > 0) yield* Effect.logInfo(`draining: handed back ${handedBack} waiting task(s)`)
        const count = (yield* attempts.active).length
        if (count > 0) {
          yield* Effect.logInfo(`draining: waiting for ${count} running task(s)`)
          const waiter = yield* Deferred.make<void>()
          yield* Ref.set(idle, waiter)
          if ((yield* attempts.active).length > 0) {
            yield* Deferred.await(waiter).pipe(Effect.timeoutOption(config.drainTimeout))
          }
        }
        // Let the last reports leave before the stream is closed.
        yield* Effect.sleep(Duration.millis(50))
        yield* session.end
      }).pipe(Effect.ignore),
    )

    // A failed send ends the connection (and so reconnects) instead of leaving reports to pile up.
    yield* Effect.raceFirst(session.messages.pipe(Stream.runForEach(handle)), Fiber.join(pump))
  }).pipe(Effect.scoped)

/**
 * Runs the worker until interrupted, reconnecting with exponential backoff (100 ms doubling to
 * 30 s, jittered) while the scheduler is unreachable. A rejected registration is final.
 */
export const runWorker = (config: WorkerConfig): Effect.Effect<void, WorkerRejected, TaskExecutor> =>
  Effect.gen(function* () {
    const draining = yield* Ref.make(false)
    yield* connectOnce(config, draining).pipe(
      Effect.tapError((e) =>
        e._tag === "WorkerRejected"
          ? Effect.void
          : Effect.logWarning(`connection lost: ${e.message}; reconnecting`),
      ),
      Effect.retry({
        while: (e) => e._tag !== "WorkerRejected",
        schedule: Schedule.exponential("100 millis").pipe(
          Schedule.union(Schedule.spaced("30 seconds")),
          Schedule.jittered,
        ),
      }),
      // A stream the server ended cleanly (restart) is reconnected, unless we were told to stop.
      Effect.repeat({ until: () => Ref.get(draining) }),
      Effect.catchTag("GrpcCallError", Effect.die),
    )
  })
