/**
 * Everything a worker sends on its stream goes through one Outbox: statuses, output chunks and
 * credits queued by many task fibers leave as few, batched messages (one TaskStatusBatch, one
 * TaskOutputBatch, one TaskRequest with the summed credits), in the order they were queued.
 */
import { Chunk, Duration, Effect, type Queue } from "effect"
import type { GrpcCallError } from "../api/grpc/GrpcErrors.js"
import {
  type Heartbeat,
  type TaskOutput,
  TaskRequest,
  type TaskStatusUpdateRequest,
  type WorkerMessage,
} from "../api/grpc/generated/worker.js"

export type Outgoing =
  | { readonly _tag: "Status"; readonly update: TaskStatusUpdateRequest }
  | { readonly _tag: "Output"; readonly output: TaskOutput }
  | { readonly _tag: "Credits"; readonly credits: number }
  | { readonly _tag: "Heartbeat"; readonly heartbeat: Heartbeat }

/** Groups a drained batch into wire messages, keeping statuses before the credits they free. */
export const toMessages = (workerId: string, batch: Iterable<Outgoing>): ReadonlyArray<WorkerMessage> => {
  const updates: Array<TaskStatusUpdateRequest> = []
  const outputs: Array<TaskOutput> = []
  const heartbeats: Array<Heartbeat> = []
  let credits = 0
  for (const item of batch) {
    if (item._tag === "Status") updates.push(item.update)
    else if (item._tag === "Output") outputs.push(item.output)
    else if (item._tag === "Credits") credits += item.credits
    else heartbeats.push(item.heartbeat)
  }
  const messages: Array<WorkerMessage> = []
  if (outputs.length > 0) messages.push({ message: { $case: "taskOutputBatch", value: { outputs } } })
  if (updates.length > 0) messages.push({ message: { $case: "taskStatusBatch", value: { updates } } })
  if (credits > 0) {
    messages.push({
      message: { $case: "taskRequest", value: TaskRequest.fromPartial({ workerId, credits }) },
    })
  }
  for (const heartbeat of heartbeats) messages.push({ message: { $case: "heartbeat", value: heartbeat } })
  return messages
}

const maxBatch = 1024

/**
 * Sends queued items until the queue shuts down or a send fails. Like Nagle's algorithm, a small
 * batch waits `linger` for company: attempts ending within that window share one status batch and
 * one credit message, so the scheduler claims and reports many tasks per statement.
 */
export const pumpOutbox = (
  workerId: string,
  queue: Queue.Dequeue<Outgoing>,
  send: (message: WorkerMessage) => Effect.Effect<void, GrpcCallError>,
  linger: Duration.DurationInput = Duration.millis(1),
) =>
  Effect.gen(function* () {
    for (;;) {
      let batch = Chunk.toReadonlyArray(yield* queue.takeBetween(1, maxBatch))
      if (batch.length < maxBatch / 8) {
        yield* Effect.sleep(linger)
        batch = batch.concat(Chunk.toReadonlyArray(yield* queue.takeUpTo(maxBatch - batch.length)))
      }
      yield* Effect.forEach(toMessages(workerId, batch), send, { discard: true })
    }
  })
