/** The worker's Outbox: many queued items leave as few wire messages. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue, TestClock } from "effect"
import type { WorkerMessage } from "../../../src/api/grpc/generated/worker.js"
import { WorkerProto } from "../../../src/api/grpc/index.js"
import { type Outgoing, pumpOutbox, toMessages } from "../../../src/worker/Outbox.js"

const status = (taskId: string): Outgoing => ({
  _tag: "Status",
  update: WorkerProto.TaskStatusUpdateRequest.fromPartial({ taskId, workerId: "w", attempt: 1 }),
})
const credit: Outgoing = { _tag: "Credits", credits: 1 }

const shape = (messages: ReadonlyArray<WorkerMessage>) =>
  messages.map((m) =>
    m.message?.$case === "taskStatusBatch"
      ? `statuses:${m.message.value.updates.length}`
      : m.message?.$case === "taskRequest"
        ? `credits:${m.message.value.credits}`
        : String(m.message?.$case),
  )

describe("Outbox", () => {
  it("groups a batch into one status batch and one summed credit message, statuses first", () => {
    expect(shape(toMessages("w", [status("a"), credit, status("b"), credit]))).toEqual([
      "statuses:2",
      "credits:2",
    ])
  })

  it.effect("a small batch lingers, so items queued within the window leave together", () =>
    Effect.gen(function* () {
      const queue = yield* Queue.unbounded<Outgoing>()
      const sent: Array<WorkerMessage> = []
      const pump = yield* pumpOutbox(
        "w",
        queue,
        (m) => Effect.sync(() => void sent.push(m)),
        "5 millis",
      ).pipe(Effect.fork)
      yield* queue.offerAll([status("a"), credit])
      yield* TestClock.adjust("2 millis")
      expect(sent).toEqual([])
      yield* queue.offerAll([status("b"), credit])
      yield* TestClock.adjust("3 millis")
      expect(shape(sent)).toEqual(["statuses:2", "credits:2"])
      yield* Fiber.interrupt(pump)
    }),
  )
})
