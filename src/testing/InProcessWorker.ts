/**
 * A worker without a process or a socket: it opens a WorkerSession directly and exchanges with it
 * the very messages a worker sends over gRPC (the same translations, minus the wire), and runs its
 * assignments through the TaskExecutor (handlers in-process, scripts as bash). Heartbeats, leases,
 * attempt timeouts and retry backoff all follow Effect's Clock, so under TestClock they move only
 * when the test moves time.
 */
import { randomUUID } from "node:crypto"
import { Duration, Effect, Queue, Schedule, type Scope, Stream } from "effect"
import type { Dispatcher } from "../actors/Dispatcher.js"
import type { SessionInput } from "../actors/SessionMessages.js"
import { runWorkerSession } from "../actors/WorkerSession.js"
import { WorkerProto } from "../api/grpc/index.js"
import { toServerMessage } from "../api/worker/toServerMessage.js"
import { toSessionInputs } from "../api/worker/toSessionInput.js"
import type { TaskId, WorkerId } from "../domain/Ids.js"
import { WorkerCapabilities } from "../domain/Requirements.js"
import { Store } from "../ports/Store.js"
import type { WorkerRegistryError } from "../ports/StoreErrors.js"
import { WorkerRegistration } from "../ports/StoreModel.js"
import { LOCAL_COMPUTE } from "../programs/localDirectory.js"
import { makeAttempts } from "../worker/Attempts.js"
import type { TaskExecutor } from "../worker/executor/index.js"
import { type Outgoing, toMessages } from "../worker/Outbox.js"

export interface InProcessWorkerOptions {
  readonly workerId: WorkerId
  /** Attempts run at once. */
  readonly slots: number
  /** Root of the attempt directories. */
  readonly workingDir: string
  readonly heartbeatInterval: Duration.DurationInput
  /** What the worker advertises; tasks needing more are never claimed by it. */
  readonly capabilities: WorkerCapabilities
}

/** Generous enough that any task a test submits fits. */
export const testCapabilities = WorkerCapabilities.make({
  cpuCores: 1024,
  memoryMB: 1 << 30,
  diskGB: 1 << 20,
  gpus: 64,
})

/**
 * Registers the worker and runs it until the scope closes; then its session ends and whatever it
 * still held is requeued, as when a real worker disconnects.
 */
export const startInProcessWorker = (
  options: InProcessWorkerOptions,
): Effect.Effect<void, WorkerRegistryError, Scope.Scope | Store | Dispatcher | TaskExecutor> =>
  Effect.gen(function* () {
    const store = yield* Store
    const { workerId } = options
    yield* store.registerWorker(
      WorkerRegistration.make({
        id: workerId,
        computeResourceId: LOCAL_COMPUTE,
        capabilities: options.capabilities,
        slots: options.slots,
      }),
    )
    const incoming = yield* Queue.unbounded<SessionInput>()
    const outbox = yield* Queue.unbounded<Outgoing>()
    const offer = (item: Outgoing) => outbox.offer(item)
    // What a real worker's Outbox would batch onto the stream, translated as the endpoint would.
    yield* Effect.gen(function* () {
      for (;;) {
        const batch = yield* outbox.takeBetween(1, 1024)
        for (const message of toMessages(workerId, batch)) {
          yield* incoming.offerAll(yield* toSessionInputs(workerId, message))
        }
      }
    }).pipe(Effect.forkScoped)

    const attempts = yield* makeAttempts({
      workerId,
      workingDir: options.workingDir,
      offer,
      slots: options.slots,
      onFinished: () => Effect.asVoid(offer({ _tag: "Credits", credits: 1 })),
    })
    const handle = (message: WorkerProto.ServerMessage) => Effect.asVoid(attempts.handle(message))

    const upstreamOf = (id: TaskId) =>
      store.getTask(id).pipe(
        Effect.map(({ task }) => ({ key: task.key, attempt: task.attempt, outputs: task.outputs })),
        Effect.orDie,
      )

    yield* runWorkerSession(workerId, randomUUID(), Stream.fromQueue(incoming)).pipe(
      Stream.mapEffect((output) => toServerMessage(output, upstreamOf)),
      Stream.runForEach(handle),
      // A real worker would reconnect; here the store is in-process, so this is a bug worth a loud log.
      Effect.tapErrorCause((cause) => Effect.logError(`test worker ${workerId}: session ended`, cause)),
      Effect.forkScoped,
    )

    const heartbeat = Effect.gen(function* () {
      const active = yield* attempts.active
      yield* offer({
        _tag: "Heartbeat",
        heartbeat: WorkerProto.Heartbeat.fromPartial({ workerId, activeTasks: active }),
      })
    })
    yield* heartbeat.pipe(
      Effect.repeat(Schedule.spaced(Duration.decode(options.heartbeatInterval))),
      Effect.forkScoped,
    )
    yield* offer({ _tag: "Credits", credits: options.slots })
  })
