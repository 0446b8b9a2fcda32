/** A WorkerSession driven by a test: its input as a queue the test writes to, its output read back. */
import { type Duration, Effect, Layer, Queue, Stream } from "effect"
import type { SessionInput, SessionOutput } from "../../../src/actors/SessionMessages.js"
import { runWorkerSession } from "../../../src/actors/WorkerSession.js"
import type { TaskId, WorkerId } from "../../../src/domain/Ids.js"
import { Store } from "../../../src/ports/Store.js"

export const credits = (n: number): SessionInput => ({ _tag: "Credits", credits: n })

/** A session for `workerId` fed from a queue the test writes to; its output as a queue. */
export const connect = (workerId: WorkerId, pollInterval: Duration.DurationInput = "50 millis") =>
  Effect.gen(function* () {
    const input = yield* Queue.unbounded<SessionInput>()
    const output = yield* Queue.unbounded<SessionOutput>()
    const fiber = yield* runWorkerSession(workerId, `session-${workerId}`, Stream.fromQueue(input), {
      pollInterval,
    }).pipe(
      Stream.runForEach((o) => output.offer(o)),
      Effect.fork,
    )
    /** The next tasks assigned, skipping anything else. */
    const assigned = Effect.gen(function* () {
      for (;;) {
        const message = yield* output.take
        if (message._tag === "Assign") return message.tasks
      }
    })
    return { input, output, assigned, fiber, close: input.shutdown }
  })

export const statusOf = (id: TaskId) =>
  Effect.flatMap(Store, (store) => store.getTask(id)).pipe(Effect.map((d) => [d.task.status, d.task.attempt]))

/** The Store, telling `claims` how many tasks each claim returned. */
export const observedClaims = (claims: Queue.Queue<number>) =>
  Layer.effect(
    Store,
    Effect.map(Store, (store) => ({
      ...store,
      claim: (workerId: WorkerId, max: number) =>
        Effect.tap(store.claim(workerId, max), (claimed) => claims.offer(claimed.length)),
    })),
  )
