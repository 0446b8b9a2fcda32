/**
 * Everything a worker sends on its stream goes through one Outbox: statuses, output chunks and
 * credits queued by many task fibers leave as few, batched messages (one TaskStatusBatch, one
 * TaskOutputBatch, one TaskRequest with the summed credits), in the order they were queued.
 */
import { Duration, Effect } from "effect"
import type { GrpcCallError } from "../api/grpc/GrpcErrors.js"
import {
  type Heartbeat,
  type TaskOutput,
  TaskRequest,
  type TaskStatusUpdateRequest,
  type WorkerMessage,
} from "../api/grpc/generated/worker.js"
import { taskStatusToProto } from "../api/grpc/StatusMapping.js"

export type Outgoing =
  | { readonly _tag: "Status"; readonly update: TaskStatusUpdateRequest }
  | { readonly _tag: "Output"; readonly output: TaskOutput }
  | { readonly _tag: "Credits"; readonly credits: number }
  | { readonly _tag: "Heartbeat"; readonly heartbeat: Heartbeat }

const RUNNING = taskStatusToProto("RUNNING")
const COMPLETED = taskStatusToProto("COMPLETED")
const FAILED = taskStatusToProto("FAILED")

/**
 * `updates` without each RUNNING that a COMPLETED or FAILED of the same attempt follows: the
 * scheduler walks a final report through RUNNING itself (and records the start), so a short task
 * costs one report instead of two. Everything else keeps its order.
 */
const withoutPassedRunning = (updates: Array<TaskStatusUpdateRequest>): Array<TaskStatusUpdateRequest> => {
  const ended = new Set<string>()
  const kept: Array<TaskStatusUpdateRequest> = []
  // Backwards, so that a final status is seen before the RUNNING that precedes it.
  for (let i = updates.length - 1; i >= 0; i--) {
    const update = updates[i] as TaskStatusUpdateRequest
    if (update.status === COMPLETED || update.status === FAILED) {
      ended.add(`${update.attempt}:${update.taskId}`)
    } else if (update.status === RUNNING && ended.has(`${update.attempt}:${update.taskId}`)) {
      continue
    }
    kept.push(update)
  }
  return kept.reverse()
}

/**
 * Groups a drained batch into wire messages, keeping statuses before the credits they free; a
 * RUNNING followed in the same batch by its attempt's final status is left out.
 */
export const toMessages = (workerId: string, batch: Iterable<Outgoing>): ReadonlyArray<WorkerMessage> => {
  let updates: Array<TaskStatusUpdateRequest> = []
  const outputs: Array<TaskOutput> = []
  const heartbeats: Array<Heartbeat> = []
  let credits = 0
  let running = 0
  let finals = 0
  for (const item of batch) {
    if (item._tag === "Status") {
      updates.push(item.update)
      const status = item.update.status
      if (status === RUNNING) running++
      else if (status === COMPLETED || status === FAILED) finals++
    } else if (item._tag === "Output") outputs.push(item.output)
    else if (item._tag === "Credits") credits += item.credits
    else heartbeats.push(item.heartbeat)
  }
  if (running > 0 && finals > 0) updates = withoutPassedRunning(updates)
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
 * The queue between the attempts and the pump: a plain array with at most one waiting taker. An
 * Effect Queue costs about a kilobyte of garbage per item taken in batches, and three items leave
 * per task.
 */
export class Outbox {
  private items: Array<Outgoing> = []
  private waiter: ((effect: Effect.Effect<void>) => void) | undefined = undefined

  /** Queues `item`; never waits. */
  readonly offer = (item: Outgoing): Effect.Effect<void> => Effect.sync(() => this.unsafeOffer(item))

  unsafeOffer(item: Outgoing): void {
    this.items.push(item)
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter(Effect.void)
    }
  }

  /** Up to `max` of the queued items, oldest first; none if none is queued. */
  takeUpTo(max: number): Effect.Effect<Array<Outgoing>> {
    return Effect.sync(() => {
      if (this.items.length <= max) {
        const all = this.items
        this.items = []
        return all
      }
      return this.items.splice(0, max)
    })
  }

  /** Like `takeUpTo`, after waiting for at least one item. */
  takeSome(max: number): Effect.Effect<Array<Outgoing>> {
    return Effect.suspend(() =>
      this.items.length > 0
        ? this.takeUpTo(max)
        : Effect.zipRight(
            Effect.async<void>((resume) => {
              this.waiter = resume
              return Effect.sync(() => {
                if (this.waiter === resume) this.waiter = undefined
              })
            }),
            this.takeSome(max),
          ),
    )
  }
}

/**
 * Sends queued items until a send fails. Like Nagle's algorithm, a small batch waits `linger` for
 * company: attempts ending within that window share one status batch and one credit message, so
 * the scheduler claims and reports many tasks per statement.
 */
export const pumpOutbox = (
  workerId: string,
  outbox: Outbox,
  send: (message: WorkerMessage) => Effect.Effect<void, GrpcCallError>,
  linger: Duration.DurationInput = Duration.millis(1),
) =>
  Effect.gen(function* () {
    for (;;) {
      let batch = yield* outbox.takeSome(maxBatch)
      if (batch.length < maxBatch / 8) {
        yield* Effect.sleep(linger)
        batch = batch.concat(yield* outbox.takeUpTo(maxBatch - batch.length))
      }
      yield* Effect.forEach(toMessages(workerId, batch), send, { discard: true })
    }
  })
