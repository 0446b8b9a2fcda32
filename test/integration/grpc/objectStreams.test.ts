/** Backpressure and end-of-stream handling of the grpc-js stream adapters, on plain Node streams. */
import { PassThrough, Readable, Writable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream } from "effect"
import { fromObjectSource, writeObject } from "../../../src/api/grpc/internal/objectStreams.js"

/** A lazy source of 0, 1, 2, … up to `count`, recording how many items were produced. */
const countingSource = (count: number) => {
  const produced = { n: 0 }
  function* items() {
    for (let i = 0; i < count; i++) {
      produced.n++
      yield i
    }
  }
  return { source: Readable.from(items(), { objectMode: true, highWaterMark: 2 }), produced }
}

describe("fromObjectSource", () => {
  it.scoped("reads nothing before the first pull, then only a bounded batch per pull", () =>
    Effect.gen(function* () {
      const { source, produced } = countingSource(10_000)
      const pull = yield* Stream.toPull(fromObjectSource(source, Effect.void))
      expect(produced.n).toBe(0)
      const first = yield* pull
      expect(Chunk.toReadonlyArray(first)).toEqual(Array.from({ length: first.length }, (_, i) => i))
      expect(produced.n).toBeLessThanOrEqual(64 + 2 + 1)
    }),
  )

  it.effect("delivers every element in order and ends when the source ends", () =>
    Effect.gen(function* () {
      const { source } = countingSource(500)
      const all = yield* Stream.runCollect(fromObjectSource(source, Effect.void))
      expect(Chunk.toReadonlyArray(all)).toEqual(Array.from({ length: 500 }, (_, i) => i))
    }),
  )

  it.effect("fails with onEnd's error only after everything buffered was delivered", () =>
    Effect.gen(function* () {
      const source = new PassThrough({ objectMode: true })
      source.write("a")
      source.write("b")
      source.end()
      const seen = yield* fromObjectSource<string, string>(source, Effect.fail("status: UNAVAILABLE")).pipe(
        Stream.catchAll((error) => Stream.make(error)),
        Stream.runCollect,
      )
      expect(Chunk.toReadonlyArray(seen)).toEqual(["a", "b", "status: UNAVAILABLE"])
    }),
  )
})

describe("writeObject", () => {
  it.effect("returns at once while the sink has room, and waits for 'drain' when it is full", () =>
    Effect.gen(function* () {
      // A sink that holds every write until the test completes it, like a socket that is not draining.
      const written: Array<string> = []
      const pending: Array<() => void> = []
      const sink = new Writable({
        objectMode: true,
        highWaterMark: 2,
        write(chunk: string, _encoding, callback) {
          written.push(chunk)
          pending.push(() => callback())
        },
      })
      yield* writeObject(sink, "a", [])
      const events: Array<string> = []
      const writer = yield* Effect.fork(
        writeObject(sink, "b", []).pipe(Effect.zipRight(Effect.sync(() => events.push("b written")))),
      )
      yield* Effect.yieldNow()
      // "b" was accepted, but the buffer is at its mark: the writer must still be waiting.
      expect(sink.writableLength).toBe(2)
      expect(events).toEqual([])
      for (const complete of pending.splice(0)) complete()
      yield* Effect.yieldNow()
      for (const complete of pending.splice(0)) complete()
      yield* Fiber.join(writer)
      expect(events).toEqual(["b written"])
      expect(written).toEqual(["a", "b"])
    }),
  )

  it.effect("stops waiting when the sink closes", () =>
    Effect.gen(function* () {
      const sink = new PassThrough({ objectMode: true, highWaterMark: 1 })
      const writer = yield* Effect.fork(writeObject(sink, "a", ["cancelled"]))
      yield* Effect.yieldNow()
      sink.emit("cancelled")
      yield* Fiber.join(writer)
      expect(sink.readableLength).toBe(1)
    }),
  )
})
