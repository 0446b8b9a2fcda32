/**
 * Where an attempt's output goes: every write is appended to `stdout.log` / `stderr.log` in the
 * attempt directory and queued for the event stream, which coalesces queued writes of the same
 * stream into chunks of at most MAX_CHUNK_BYTES and numbers them. A slow consumer pauses the
 * process pipes (back-pressure) instead of letting the queue grow without bound.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import type { Readable } from "node:stream"
import { StringDecoder } from "node:string_decoder"
import { type Cause, Chunk, Effect, Mailbox, type Scope, Stream } from "effect"
import { TaskWorkdirError } from "./ExecutorErrors.js"
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

export interface OutputCollector {
  /** Appends `data` to the stream's log file and queues it; pauses `source` while the queue is full. */
  readonly write: (stream: OutputStreamName, data: Buffer | string, source?: Readable) => void
  /** Flushes a trailing partial character once the stream has ended. */
  readonly endStream: (stream: OutputStreamName) => void
  readonly started: (event: TaskStarted) => void
  /** Queues the final event and ends the event stream. */
  readonly finish: (result: TaskResult) => Effect.Effect<void>
  /** Ends the event stream with a failure (a defect or interruption of the attempt's supervisor). */
  readonly failCause: (cause: Cause.Cause<never>) => Effect.Effect<void>
  readonly events: Stream.Stream<TaskEvent>
}

interface LogFile {
  fd: number | undefined
}

const openLog = (path: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: (): LogFile => ({ fd: Fs.openSync(path, "w") }),
      catch: (error) => new TaskWorkdirError({ path, reason: String(error) }),
    }),
    (log) =>
      Effect.sync(() => {
        if (log.fd !== undefined) Fs.closeSync(log.fd)
        log.fd = undefined
      }),
  )

const appendLog = (log: LogFile, data: Buffer | string) => {
  if (log.fd === undefined) return
  try {
    if (typeof data === "string") Fs.writeSync(log.fd, data)
    else Fs.writeSync(log.fd, data)
  } catch {
    // A full disk must not stop the attempt or lose the live stream; the log file stays truncated.
    const fd = log.fd
    log.fd = undefined
    Fs.close(fd, () => {})
  }
}

/** Opens the log files of `dir` and the event queue, both released with the scope. */
export const makeOutputCollector = (
  dir: string,
): Effect.Effect<OutputCollector, TaskWorkdirError, Scope.Scope> =>
  Effect.gen(function* () {
    const logs = {
      stdout: yield* openLog(Path.join(dir, "stdout.log")),
      stderr: yield* openLog(Path.join(dir, "stderr.log")),
    }
    const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") }
    const mailbox = yield* Mailbox.make<Item>()
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
        const chunk = new OutputChunk({ stream: pending.stream, seq: seq++, data: pending.texts.join("") })
        out.push(new TaskOutput({ chunk }))
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
        appendLog(logs[stream], data)
        enqueue(stream, typeof data === "string" ? data : decoders[stream].write(data), source)
      },
      endStream: (stream) => enqueue(stream, decoders[stream].end()),
      started: (event) => {
        mailbox.unsafeOffer(event)
      },
      finish: (result) =>
        Effect.zipRight(mailbox.offer(new TaskFinished({ result })), mailbox.end).pipe(Effect.asVoid),
      failCause: (cause) => Effect.asVoid(mailbox.failCause(cause)),
      events: Mailbox.toStream(mailbox).pipe(Stream.mapChunks(coalesce)),
    }
  })
