/**
 * Worker-side bookkeeping for a benchmark handler: timestamps kept in memory (so recording costs
 * the handler almost nothing) and one `Report` once the expected number of jobs has finished.
 */
import { Deferred, Effect, Exit, Schema } from "effect"
import { LatencyPayload, type Report } from "./WorkerProtocol.js"

const isLatencyPayload = Schema.is(LatencyPayload)

/** Records handler starts and ends; `done` yields the report after `expected` ends. */
export const makeHandlerRecorder = (expected: number) =>
  Effect.map(Deferred.make<typeof Report.Type>(), (done) => {
    let count = 0
    let firstStart = Number.POSITIVE_INFINITY
    let lastEnd = Number.NEGATIVE_INFINITY
    const latencies: Array<number> = []
    return {
      /** Call first thing in the handler, with the job's payload. */
      start: (payload: unknown): void => {
        const now = Date.now()
        if (now < firstStart) firstStart = now
        if (isLatencyPayload(payload)) latencies.push(now - payload.t)
      },
      /** Call last thing in the handler. */
      end: (): void => {
        const now = Date.now()
        if (now > lastEnd) lastEnd = now
        count += 1
        // Called from the peer library's callback, outside any fiber: complete the Deferred directly.
        if (count === expected)
          Deferred.unsafeDone(done, Exit.succeed({ _tag: "Report", count, firstStart, lastEnd, latencies }))
      },
      done: Deferred.await(done),
    }
  })
