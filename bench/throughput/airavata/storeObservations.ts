/**
 * What the harness learns about the airavata worker from the Store (its state is durable there):
 * when the worker's session is up, when it has finished a number of tasks, whether any failed, and
 * — for shell tasks, whose `true` cannot stamp anything — start/end times the Store recorded.
 */
import { DateTime, Duration, Effect, Option } from "effect"
import type { ExperimentId, WorkerId } from "../../../src/domain/Ids.js"
import type { Task } from "../../../src/domain/Task.js"
import type { Worker } from "../../../src/domain/Worker.js"
import { Store } from "../../../src/ports/Store.js"
import { TaskQuery } from "../../../src/ports/StoreModel.js"
import { reasonOf, SystemFailed } from "../BenchErrors.js"
import type { HandlerReport } from "../System.js"
import { submitTimeInput } from "./workerContract.js"

const worker = (system: string, workerId: WorkerId) =>
  Effect.flatMap(Store, (store) => store.getWorker(workerId)).pipe(
    Effect.mapError((e) => new SystemFailed({ system, operation: "read worker", reason: reasonOf(e) })),
  )

/** Reads the worker every `millis` until `done` holds; yields that reading. */
const watchWorker = (system: string, workerId: WorkerId, millis: number, done: (w: Worker) => boolean) =>
  Effect.gen(function* () {
    for (;;) {
      const current = yield* worker(system, workerId)
      if (done(current)) return current
      yield* Effect.sleep(Duration.millis(millis))
    }
  })

/** Succeeds once the worker's stream session is open (the session marks it IDLE on connect). */
export const awaitSession = (system: string, workerId: WorkerId) =>
  Effect.asVoid(watchWorker(system, workerId, 20, (w) => w.status === "IDLE" || w.status === "BUSY"))

/**
 * Fails soon after the worker has a failed task (a benchmark of failures measures nothing). Once
 * a second: each reading is a statement in the scheduler's process and on its database, which the
 * peers' runs do not have (at 250 ms: 70 of the ≈ 1,300 statements of a 300-job latency run).
 */
export const failOnTaskFailure = (system: string, workerId: WorkerId) =>
  watchWorker(system, workerId, 1000, (w) => w.tasksFailed > 0).pipe(
    Effect.flatMap((w) =>
      Effect.fail(
        new SystemFailed({
          system,
          operation: "run tasks",
          reason: `${w.tasksFailed} task(s) failed on ${w.id}`,
        }),
      ),
    ),
  )

/** Succeeds once the Store counts `expected` tasks completed by the worker. */
export const awaitCompleted = (system: string, workerId: WorkerId, expected: number) =>
  Effect.asVoid(watchWorker(system, workerId, 20, (w) => w.tasksCompleted >= expected))

const tasksOf = (system: string, experimentId: ExperimentId) =>
  Effect.gen(function* () {
    const store = yield* Store
    const tasks: Array<Task> = []
    let cursor: string | undefined
    do {
      const page = yield* store.listTasks(
        TaskQuery.make({ experimentId, limit: 1000, ...(cursor === undefined ? {} : { cursor }) }),
      )
      tasks.push(...page.tasks)
      cursor = page.next
    } while (cursor !== undefined)
    return tasks
  }).pipe(Effect.mapError((e) => new SystemFailed({ system, operation: "list tasks", reason: reasonOf(e) })))

const millis = (at: DateTime.Utc | undefined) =>
  at === undefined ? Option.none() : Option.some(DateTime.toEpochMillis(at))

/**
 * A HandlerReport from the Store's timestamps of the experiments' tasks: `startedAt` (the RUNNING
 * report applied) and `completedAt` (the COMPLETED report applied), both on this process's clock;
 * latencies are `startedAt - t` for tasks whose input `t` is a submit time.
 */
export const reportFromStore = (system: string, experiments: ReadonlyArray<ExperimentId>) =>
  Effect.gen(function* () {
    const tasks = (yield* Effect.forEach(experiments, (id) => tasksOf(system, id))).flat()
    const done = tasks.filter((t) => t.status === "COMPLETED")
    const starts = done.flatMap((t) => Option.toArray(millis(t.startedAt)))
    const ends = done.flatMap((t) => Option.toArray(millis(t.completedAt)))
    const latencies = done.flatMap((t) => {
      const submitted = t.inputs[submitTimeInput]
      const started = millis(t.startedAt)
      return typeof submitted === "string" && Option.isSome(started)
        ? [started.value - Number(submitted)]
        : []
    })
    const report: HandlerReport = {
      count: done.length,
      firstStart: starts.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY),
      lastEnd: ends.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY),
      latencies,
    }
    return report
  })
