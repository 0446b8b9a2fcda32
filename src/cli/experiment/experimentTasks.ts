/** An experiment's tasks as a stream over the Store's keyset pages, and lookups built on it. */
import { Chunk, Effect, Option, Stream } from "effect"
import type { ExperimentId } from "../../domain/Ids.js"
import type { TaskStatus } from "../../domain/Status.js"
import type { Task } from "../../domain/Task.js"
import { Store } from "../../ports/Store.js"
import { TaskQuery } from "../../ports/StoreModel.js"
import { InvalidInput } from "../InvalidInput.js"

const PAGE = 1000

/** Every task of the experiment (optionally of one status) in insertion order, a page at a time. */
export const experimentTasks = (experimentId: ExperimentId, status?: TaskStatus, pageSize = PAGE) =>
  Stream.unwrap(
    Effect.map(Store, (store) =>
      Stream.paginateChunkEffect(Option.none<string>(), (cursor) =>
        Effect.map(
          store.listTasks(
            TaskQuery.make({
              experimentId,
              limit: Math.min(Math.max(1, pageSize), PAGE),
              ...(status === undefined ? {} : { status }),
              ...Option.match(cursor, { onNone: () => ({}), onSome: (c) => ({ cursor: c }) }),
            }),
          ),
          (page) =>
            [
              Chunk.fromIterable(page.tasks),
              Option.map(Option.fromNullable(page.next), Option.some),
            ] as const,
        ),
      ),
    ),
  )

/**
 * The task with key `key` (e.g. `grid[3]`). The Store has no lookup by key, so this scans the
 * experiment's pages until it finds it.
 */
export const findTaskByKey = (experimentId: ExperimentId, key: string) =>
  experimentTasks(experimentId).pipe(
    Stream.filter((task) => task.key === key),
    Stream.runHead,
    Effect.flatMap(
      Option.match({
        onNone: () =>
          Effect.fail(new InvalidInput({ message: `experiment ${experimentId} has no task ${key}` })),
        onSome: (task: Task) => Effect.succeed(task),
      }),
    ),
  )

/**
 * The worker holding the task's lease or, once the lease is gone, the worker of its last attempt
 * (the Task row keeps only the current lease owner, so that one comes from the attempt history).
 */
export const taskWorker = (task: Task) =>
  Effect.gen(function* () {
    if (task.leaseOwner !== undefined) return Option.some(task.leaseOwner)
    if (task.attempt === 0) return Option.none()
    const store = yield* Store
    const detail = yield* store.getTask(task.id)
    return Option.fromNullable(detail.attempts.at(-1)?.workerId)
  })
