/** The change feed: LISTEN/NOTIFY delivered as a Stream, once per transaction. */
import { assert, expect, type Vitest } from "@effect/vitest"
import { type Duration, Effect, Option, Queue, Stream, TestServices } from "effect"
import { Store } from "../../../src/ports/Store.js"
import type { StoreChange } from "../../../src/ports/StoreModel.js"
import { cleanSlate, finish, submit, sweep, type Tenant, tenant, worker } from "./fixtures.js"

/** Waits (in real time: notifications come from the database) for a change matching `match`. */
export const next = (
  queue: Queue.Queue<StoreChange>,
  match: (change: StoreChange) => boolean,
  wait: Duration.DurationInput = "5 seconds",
) =>
  TestServices.provideLive(
    Effect.gen(function* () {
      for (;;) {
        const change = yield* Queue.take(queue)
        if (match(change)) return change
      }
    }).pipe(Effect.timeoutOption(wait)),
  )

/**
 * The change feed, as a queue, once it is listening (for the scope): LISTEN is issued when the
 * stream starts, so this probes until an empty experiment's change arrives.
 */
export const listening = (owner: Tenant) =>
  Effect.gen(function* () {
    const store = yield* Store
    const queue = yield* Queue.unbounded<StoreChange>()
    yield* store.changes.pipe(
      Stream.runForEach((change) => Queue.offer(queue, change)),
      Effect.forkScoped,
    )
    let subscribed = false
    for (let probe = 0; probe < 20 && !subscribed; probe++) {
      const empty = yield* submit(owner, { total: 0, counts: [], tasks: Stream.empty })
      const seen = yield* next(
        queue,
        (c) => c._tag === "ExperimentChanged" && c.experimentId === empty.experiment.id,
      )
      subscribed = Option.isSome(seen)
    }
    expect(subscribed).toBe(true)
    return queue
  })

export const feedTests = (it: Vitest.MethodsNonLive<Store>) => {
  it.scoped("the change feed delivers notifications after createExperiment and after completion", () =>
    Effect.gen(function* () {
      yield* cleanSlate
      const store = yield* Store
      const owner = yield* tenant
      const queue = yield* listening(owner)

      const experiment = yield* submit(owner, sweep("watched", 2))
      const id = experiment.experiment.id
      const created = yield* next(queue, (c) => c._tag === "ExperimentChanged" && c.experimentId === id)
      expect(Option.getOrThrow(created)).toMatchObject({ status: "EXECUTING" })
      const ready = yield* next(queue, (c) => c._tag === "TasksReady" && c.experimentIds.includes(id))
      expect(Option.isSome(ready)).toBe(true)

      const claimed = yield* store.claim(yield* worker(owner), 2)
      assert(claimed.length === 2)
      yield* store.reportMany(claimed.map((c) => finish(c)))
      const changed = yield* next(queue, (c) => c._tag === "TasksChanged" && c.experimentIds.includes(id))
      expect(Option.isSome(changed)).toBe(true)
      const completed = yield* next(queue, (c) => c._tag === "ExperimentChanged" && c.experimentId === id)
      expect(Option.getOrThrow(completed)).toMatchObject({ status: "COMPLETED" })
    }),
  )
}
