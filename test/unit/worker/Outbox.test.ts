/** The worker's Outbox: many queued items leave as few wire messages. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import type { WorkerMessage } from "../../../src/api/grpc/generated/worker.js"
import { taskStatusFromProto, taskStatusToProto, WorkerProto } from "../../../src/api/grpc/index.js"
import type { TaskStatus } from "../../../src/domain/Status.js"
import { Outbox, type Outgoing, pumpOutbox, toMessages } from "../../../src/worker/Outbox.js"

const status = (taskId: string, value: TaskStatus = "COMPLETED", attempt = 1): Outgoing => ({
  _tag: "Status",
  update: WorkerProto.TaskStatusUpdateRequest.fromPartial({
    taskId,
    workerId: "w",
    attempt,
    status: taskStatusToProto(value),
  }),
})
const credit: Outgoing = { _tag: "Credits", credits: 1 }
const output = (taskId: string): Outgoing => ({
  _tag: "Output",
  output: WorkerProto.TaskOutput.fromPartial({ taskId, workerId: "w", attempt: 1 }),
})

/** A pump lingering 5 ms over a fresh outbox, recording what it sends. */
const lingeringPump = Effect.gen(function* () {
  const outbox = new Outbox()
  const sent: Array<WorkerMessage> = []
  const pump = yield* pumpOutbox("w", outbox, (m) => Effect.sync(() => void sent.push(m)), "5 millis").pipe(
    Effect.fork,
  )
  return { outbox, sent, pump }
})

const shape = (messages: ReadonlyArray<WorkerMessage>) =>
  messages.map((m) =>
    m.message?.$case === "taskStatusBatch"
      ? `statuses:${m.message.value.updates.length}`
      : m.message?.$case === "taskRequest"
        ? `credits:${m.message.value.credits}`
        : String(m.message?.$case),
  )

/** The statuses of the messages, in order, as "task/attempt STATUS". */
const statuses = (messages: ReadonlyArray<WorkerMessage>) =>
  messages.flatMap((m) =>
    m.message?.$case === "taskStatusBatch"
      ? m.message.value.updates.map(
          (u) => `${u.taskId}/${u.attempt} ${Option.getOrUndefined(taskStatusFromProto(u.status))}`,
        )
      : [],
  )

describe("Outbox", () => {
  it("groups a batch into one status batch and one summed credit message, statuses first", () => {
    expect(shape(toMessages("w", [status("a"), credit, status("b"), credit]))).toEqual([
      "statuses:2",
      "credits:2",
    ])
  })

  it("leaves out a RUNNING whose attempt's COMPLETED or FAILED follows in the same batch", () => {
    const messages = toMessages("w", [
      status("a", "RUNNING"),
      status("b", "RUNNING"),
      status("c", "RUNNING"),
      output("c"),
      status("a", "COMPLETED"),
      credit,
      status("c", "FAILED"),
      credit,
    ])
    expect(shape(messages)).toEqual(["taskOutputBatch", "statuses:3", "credits:2"])
    expect(statuses(messages)).toEqual(["b/1 RUNNING", "a/1 COMPLETED", "c/1 FAILED"])
  })

  it("keeps a RUNNING whose final status is of another attempt, comes first, or is not in the batch", () => {
    const messages = toMessages("w", [
      status("a", "RUNNING", 2),
      status("a", "COMPLETED", 1),
      status("b", "FAILED"),
      status("b", "RUNNING"),
      status("c", "RUNNING"),
      status("d", "RUNNING"),
      status("d", "CANCELED"),
    ])
    expect(statuses(messages)).toEqual([
      "a/2 RUNNING",
      "a/1 COMPLETED",
      "b/1 FAILED",
      "b/1 RUNNING",
      "c/1 RUNNING",
      "d/1 RUNNING",
      "d/1 CANCELED",
    ])
  })

  it.effect("a small batch lingers, so items queued within the window leave together", () =>
    Effect.gen(function* () {
      const { outbox, sent, pump } = yield* lingeringPump
      for (const item of [status("a"), credit]) outbox.unsafeOffer(item)
      yield* TestClock.adjust("2 millis")
      expect(sent).toEqual([])
      for (const item of [status("b"), credit]) outbox.unsafeOffer(item)
      yield* TestClock.adjust("3 millis")
      expect(shape(sent)).toEqual(["statuses:2", "credits:2"])
      yield* Fiber.interrupt(pump)
    }),
  )

  it.effect("a task that ends within the linger window is reported once, as COMPLETED", () =>
    Effect.gen(function* () {
      const { outbox, sent, pump } = yield* lingeringPump
      yield* outbox.offer(status("a", "RUNNING"))
      yield* TestClock.adjust("1 milli")
      for (const item of [status("a", "COMPLETED"), credit]) outbox.unsafeOffer(item)
      yield* TestClock.adjust("4 millis")
      expect(statuses(sent)).toEqual(["a/1 COMPLETED"])
      expect(shape(sent)).toEqual(["statuses:1", "credits:1"])
      yield* Fiber.interrupt(pump)
    }),
  )
})
