/**
 * Where an attempt's output goes: every write is appended to its log file (LogFiles) and queued
 * for the consumer, which gets queued writes of the same stream coalesced into chunks of at most
 * MAX_CHUNK_BYTES, numbered. A slow consumer pauses the process pipes (back-pressure) instead of
 * letting the queue grow without bound.
 */
import type { Readable } from "node:stream"
import { StringDecoder } from "node:string_decoder"
import { type Cause, Chunk, Effect, Exit, Option, Stream } from "effect"
import type { LogFiles } from "./LogFiles.js"
import {
  MAX_CHUNK_BYTES,
  makeOutputChunk,
  makeTaskFinished,
  makeTaskOutput,
  type OutputStreamName,
  type TaskEvent,
  type TaskFinished,
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
  toStream(): Stream.Stream<TaskEvent>
  /** Applies `f` to every event in order, up to the last; fails as `f` does, or as the stream would. */
  forEach<E, R>(f: (event: TaskEvent) => Effect.Effect<unknown, E, R>): Effect.Effect<void, E, R>
}

/** Methods, not functions: call them on the collector. */
export interface OutputCollector extends AttemptEvents {
  /** Appends `data` to the stream's log file and queues it; pauses `source` while the queue is full. */
  write(stream: OutputStreamName, data: Buffer | string, source?: Readable): void
  /** Flushes a trailing partial character once the stream has ended. */
  endStream(stream: OutputStreamName): void
  started(event: TaskStarted): void
  /** Queues the final event and ends the event stream. */
  finish(result: TaskResult): void
  /** Ends the event stream with a failure (a defect or interruption of the attempt's supervisor). */
  failCause(cause: Cause.Cause<never>): Effect.Effect<void>
}

/** Resumes a consumer waiting for events. */
type Waiter = (effect: Effect.Effect<void>) => void

/**
 * The event queue of one attempt, writing through to `logs`: a plain array and at most one waiting
 * consumer, which is all an attempt needs, at a fraction of a Mailbox's cost per attempt. Events
 * are built without validation: they are made here from values the executor produced itself.
 */
class Collector implements OutputCollector {
  private items: Array<Item> = []
  /** How the event stream ended, once it has; later events are dropped. */
  private end: Exit.Exit<void> | undefined = undefined
  private waiter: Waiter | undefined = undefined
  /** Only process pipes deliver bytes; a handler's log lines are strings. */
  private decoders: Partial<Record<OutputStreamName, StringDecoder>> | undefined = undefined
  private paused: Set<Readable> | undefined = undefined
  private queuedBytes = 0
  private seq = 0

  constructor(private readonly logs: LogFiles) {}

  private push(item: Item) {
    if (this.end !== undefined) return
    this.items.push(item)
    this.wake()
  }

  private wake() {
    const waiter = this.waiter
    if (waiter === undefined) return
    this.waiter = undefined
    waiter(Effect.void)
  }

  private enqueue(stream: OutputStreamName, text: string, source?: Readable) {
    for (const piece of splitUtf8(text, MAX_CHUNK_BYTES)) {
      this.queuedBytes += piece.bytes
      this.push({ _tag: "Piece", stream, text: piece.text, bytes: piece.bytes })
    }
    if (source !== undefined && this.queuedBytes > HIGH_WATER_BYTES) {
      this.paused ??= new Set()
      if (!this.paused.has(source)) {
        source.pause()
        this.paused.add(source)
      }
    }
  }

  /** Queued pieces of the same stream coalesced into numbered chunks, other events as they are. */
  private coalesce(items: ReadonlyArray<Item>): Array<TaskEvent> {
    const out: Array<TaskEvent> = []
    let pending: { stream: OutputStreamName; texts: Array<string>; bytes: number } | undefined
    const flush = () => {
      if (pending === undefined) return
      const chunk = makeOutputChunk({ stream: pending.stream, seq: this.seq++, data: pending.texts.join("") })
      out.push(makeTaskOutput(chunk))
      pending = undefined
    }
    for (const item of items) {
      if (item._tag !== "Piece") {
        flush()
        out.push(item)
        continue
      }
      this.queuedBytes -= item.bytes
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
    if (this.paused !== undefined && this.paused.size > 0 && this.queuedBytes <= LOW_WATER_BYTES) {
      for (const source of this.paused) source.resume()
      this.paused.clear()
    }
    return out
  }

  /**
   * The events queued so far, waiting until there are some; `undefined` once the stream has ended
   * and every event was taken, or the failure it ended with.
   */
  private take(): Effect.Effect<Array<TaskEvent> | undefined> {
    return Effect.suspend(() => {
      if (this.items.length > 0) {
        const items = this.items
        this.items = []
        return Effect.succeed(this.coalesce(items))
      }
      const end = this.end
      if (end !== undefined)
        return Exit.isSuccess(end) ? Effect.succeed(undefined) : Effect.failCause(end.cause)
      return Effect.zipRight(
        Effect.async<void>((resume) => {
          this.waiter = resume
          return Effect.sync(() => {
            if (this.waiter === resume) this.waiter = undefined
          })
        }),
        this.take(),
      )
    })
  }

  write(stream: OutputStreamName, data: Buffer | string, source?: Readable) {
    this.logs.append(stream, data)
    if (typeof data === "string") return this.enqueue(stream, data, source)
    this.decoders ??= {}
    let decoder = this.decoders[stream]
    if (decoder === undefined) {
      decoder = new StringDecoder("utf8")
      this.decoders[stream] = decoder
    }
    this.enqueue(stream, decoder.write(data), source)
  }

  endStream(stream: OutputStreamName) {
    const pending = this.decoders?.[stream]?.end()
    if (pending !== undefined) this.enqueue(stream, pending)
  }

  started(event: TaskStarted) {
    this.push(event)
  }

  finish(result: TaskResult) {
    this.push(makeTaskFinished(result))
    this.end ??= Exit.void
    this.wake()
  }

  failCause(cause: Cause.Cause<never>): Effect.Effect<void> {
    return Effect.sync(() => {
      if (this.end !== undefined) return
      this.end = Exit.failCause(cause)
      this.wake()
    })
  }

  toStream(): Stream.Stream<TaskEvent> {
    return Stream.repeatEffectChunkOption(
      Effect.flatMap(this.take(), (events) =>
        events === undefined ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(events)),
      ),
    )
  }

  forEach<E, R>(f: (event: TaskEvent) => Effect.Effect<unknown, E, R>): Effect.Effect<void, E, R> {
    const loop: Effect.Effect<void, E, R> = Effect.suspend(() => {
      // Events already queued (all of them, for a handler that ended at once) need no waiting.
      if (this.items.length > 0) {
        const items = this.items
        this.items = []
        const each = applyEach(this.coalesce(items), f)
        // Nothing is queued once the stream has ended: these were the last events.
        if (this.end === undefined) return Effect.zipRight(each, loop)
        return Exit.isSuccess(this.end) ? each : Effect.zipRight(each, this.end)
      }
      return Effect.flatMap(this.take(), (events) =>
        events === undefined ? Effect.void : Effect.zipRight(applyEach(events, f), loop),
      )
    })
    return loop
  }
}

/** `f` applied to each event in turn. */
const applyEach = <E, R>(
  events: ReadonlyArray<TaskEvent>,
  f: (event: TaskEvent) => Effect.Effect<unknown, E, R>,
  from = 0,
): Effect.Effect<void, E, R> => {
  const event = events[from]
  if (event === undefined) return Effect.void
  const applied = f(event)
  return from + 1 === events.length
    ? Effect.asVoid(applied)
    : Effect.flatMap(applied, () => applyEach(events, f, from + 1))
}

/** The event queue of one attempt, writing through to `logs`. */
export const makeOutputCollector = (logs: LogFiles): OutputCollector => new Collector(logs)
