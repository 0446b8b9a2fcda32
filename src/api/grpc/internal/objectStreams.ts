/**
 * Node object streams (grpc-js calls) as Effect streams and writes, with backpressure both ways:
 * reading pulls from the stream's buffer only when the consumer asks (grpc-js then reads the next
 * message from the wire only when its buffer drains), and writing waits for 'drain' when the
 * stream says its buffer is full.
 */
import type { Readable, Writable } from "node:stream"
import { Chunk, Effect, Option, Stream } from "effect"

/** A readable stream of objects of type A (grpc-js's ObjectReadable without its overloads). */
export interface ObjectSource<A> extends Readable {
  read(size?: number): A | null
}

/** Messages handed to the consumer per pull, at most. */
const maxBatch = 64

/**
 * The objects of `source` as a Stream. When the source has ended (or was destroyed) and its buffer
 * is drained, `onEnd` decides how the stream finishes: succeed to end it, fail to fail it.
 */
export const fromObjectSource = <A, E>(
  source: ObjectSource<A>,
  onEnd: Effect.Effect<void, E>,
): Stream.Stream<A, E> =>
  Stream.repeatEffectChunkOption(
    Effect.async<Chunk.Chunk<A> | undefined, never>((resume) => {
      // Reading and subscribing happen in one synchronous step, so no event can slip between them.
      const attempt = (): boolean => {
        const batch: Array<A> = []
        let next = source.read()
        while (next !== null) {
          batch.push(next)
          if (batch.length >= maxBatch) break
          next = source.read()
        }
        if (batch.length > 0) {
          resume(Effect.succeed(Chunk.unsafeFromArray(batch)))
          return true
        }
        if (source.readableEnded || source.destroyed) {
          resume(Effect.succeed(undefined))
          return true
        }
        return false
      }
      if (attempt()) return
      const wake = () => {
        if (attempt()) unsubscribe()
      }
      const unsubscribe = () => {
        source.off("readable", wake)
        source.off("end", wake)
        source.off("close", wake)
      }
      source.on("readable", wake)
      source.on("end", wake)
      source.on("close", wake)
      return Effect.sync(unsubscribe)
    }).pipe(
      Effect.flatMap((batch) =>
        batch === undefined
          ? Effect.zipRight(Effect.mapError(onEnd, Option.some), Effect.fail(Option.none()))
          : Effect.succeed(batch),
      ),
    ),
  )

/**
 * Writes one object; when the stream's buffer is full, waits for 'drain' — or for any of
 * `closeEvents`, after which the caller's next write notices the closed stream.
 */
export const writeObject = <A>(
  sink: Writable,
  value: A,
  closeEvents: ReadonlyArray<string>,
): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (sink.write(value)) return Effect.void
    return Effect.async<void>((resume) => {
      const events = ["drain", "close", "error", ...closeEvents]
      const done = () => {
        for (const event of events) sink.off(event, done)
        resume(Effect.void)
      }
      for (const event of events) sink.on(event, done)
      return Effect.sync(() => {
        for (const event of events) sink.off(event, done)
      })
    })
  })
