/**
 * Where an attempt's output goes: every write is appended to its log file (LogFiles) and queued
 * for the consumer, which gets queued writes of the same stream coalesced into chunks of at most
 * MAX_CHUNK_BYTES, numbered. A slow consumer pauses the process pipes (back-pressure) instead of
 * letting the queue grow without bound.
 */
import type { Readable } from "node:stream"
import { StringDecoder } from "node:string_decoder"
import { type Cause, Chunk, Effect, Exit, Mailbox, Stream } from "effect"
import type { LogFiles } from "./LogFiles.js"
import {
  MAX_CHUNK_BYTES,
  OutputChunk,
  type OutputStreamName,
  type TaskEvent,
  TaskFinished,
  TaskOutput,
  type TaskResult,
  type TaskStarted,
} from "./TaskEvent.js"
import { splitUtf8 } from "./Utf8Chunks.js"

/** Queued output above which process pipes are paused, and below which they resume. */
const HIGH_WATER_BYTES = 1024 * 1024
const LOW_WATER_BYTES = 256 * 1024

interface Piece {
  readonly _tag: "Piece"
  readonly stream: OutputStreamName
  readonly text: string
  readonly bytes: number
}

type Item = Piece | TaskStarted | TaskFinished

/**
 * The consuming side of an attempt's events, used one way or the other: as a Stream, or handed to
 * a function one by one, which costs far less per attempt than running a Stream.
 */
export interface AttemptEvents {
  readonly toStream: () => Stream.Stream<TaskEvent>
  /** Applies `f` to every event in order, up to the last; fails as `f` does, or as the stream would. */
  readonly forEach: <E, R>(f: (event: TaskEvent) => Effect.Effect<unknown, E, R>) => Effect.Effect<void, E, R>
}

export interface OutputCollector extends AttemptEvents {
  /** Appends `data` to the stream's log file and queues it; pauses `source` while the queue is full. */
  readonly write: (stream: OutputStreamName, data: Buffer | string, source?: Readable) => void
  /** Flushes a trailing partial character once the stream has ended. */
  readonly endStream: (stream: OutputStreamName) => void
  readonly started: (event: TaskStarted) => void
  /** Queues the final event and ends the event stream. */
  readonly finish: (result: TaskResult) => void
  /** Ends the event stream with a failure (a defect or interruption of the attempt's supervisor). */
  readonly failCause: (cause: Cause.Cause<never>) => Effect.Effect<void>
}

/**
 * The event queue of one attempt, writing through to `logs`. Events are built without validation:
 * they are made here from values the executor produced itself.
 */
export const makeOutputCollector = (logs: LogFiles): Effect.Effect<OutputCollector> =>
  Effect.map(Mailbox.make<Item>(), (mailbox): OutputCollector => {
    // Only process pipes deliver bytes; a handler's log lines are strings.
    const decoders: Partial<Record<OutputStreamName, StringDecoder>> = {}
    const decoder = (stream: OutputStreamName) => {
      decoders[stream] ??= new StringDecoder("utf8")
      return decoders[stream]
    }
    const paused = new Set<Readable>()
    let queuedBytes = 0

    const enqueue = (stream: OutputStreamName, text: string, source?: Readable) => {
      for (const piece of splitUtf8(text, MAX_CHUNK_BYTES)) {
        queuedBytes += piece.bytes
        mailbox.unsafeOffer({ _tag: "Piece", stream, text: piece.text, bytes: piece.bytes })
      }
      if (source !== undefined && queuedBytes > HIGH_WATER_BYTES && !paused.has(source)) {
        source.pause()
        paused.add(source)
      }
    }

    let seq = 0
    const coalesce = (items: Chunk.Chunk<Item>): Chunk.Chunk<TaskEvent> => {
      const out: Array<TaskEvent> = []
      let pending: { stream: OutputStreamName; texts: Array<string>; bytes: number } | undefined
      const flush = () => {
        if (pending === undefined) return
        const chunk = new OutputChunk(
          { stream: pending.stream, seq: seq++, data: pending.texts.join("") },
          true,
        )
        out.push(new TaskOutput({ chunk }, true))
        pending = undefined
      }
      for (const item of items) {
        if (item._tag !== "Piece") {
          flush()
          out.push(item)
          continue
        }
        queuedBytes -= item.bytes
        if (
          pending !== undefined &&
          (pending.stream !== item.stream || pending.bytes + item.bytes > MAX_CHUNK_BYTES)
        )
          flush()
        if (pending === undefined) pending = { stream: item.stream, texts: [item.text], bytes: item.bytes }
        else {
          pending.texts.push(item.text)
          pending.bytes += item.bytes
        }
      }
      flush()
      if (queuedBytes <= LOW_WATER_BYTES && paused.size > 0) {
        for (const source of paused) source.resume()
        paused.clear()
      }
      return Chunk.unsafeFromArray(out)
    }

    return {
      write: (stream, data, source) => {
        logs.append(stream, data)
        enqueue(stream, typeof data === "string" ? data : decoder(stream).write(data), source)
      },
      endStream: (stream) => {
        const pending = decoders[stream]?.end()
        if (pending !== undefined) enqueue(stream, pending)
      },
      started: (event) => {
        mailbox.unsafeOffer(event)
      },
      finish: (result) => {
        mailbox.unsafeOffer(new TaskFinished({ result }, true))
        mailbox.unsafeDone(Exit.void)
      },
      failCause: (cause) => Effect.asVoid(mailbox.failCause(cause)),
      toStream: () => Mailbox.toStream(mailbox).pipe(Stream.mapChunks(coalesce)),
      forEach: <E, R>(f: (event: TaskEvent) => Effect.Effect<unknown, E, R>) => {
        const loop: Effect.Effect<void, E, R> = Effect.flatMap(mailbox.takeAll, ([items, done]) => {
          const each = Effect.forEach(coalesce(items), f, { discard: true })
          return done ? each : Effect.zipRight(each, loop)
        })
        return loop
      },
    }
  })
