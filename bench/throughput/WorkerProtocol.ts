/**
 * The line protocol a benchmark worker process speaks on stdout: one JSON object per line.
 * Both ends share these schemas; any other line (a library's log) is ignored by the harness.
 */
import { Console, Schema } from "effect"

/** The worker is up and waiting for jobs. */
export const Ready = Schema.TaggedStruct("Ready", {})

/** The worker finished the jobs it was started for (see `HandlerReport`). */
export const Report = Schema.TaggedStruct("Report", {
  count: Schema.Int,
  firstStart: Schema.Number,
  lastEnd: Schema.Number,
  latencies: Schema.Array(Schema.Number),
})

/** Any protocol line. */
export const WorkerMessage = Schema.Union(Ready, Report)
export type WorkerMessage = typeof WorkerMessage.Type

/** Decodes one stdout line; `None` for lines that are not protocol messages. */
export const decodeLine = Schema.decodeUnknownOption(Schema.parseJson(WorkerMessage))

/** Writes one protocol message to stdout. */
export const emit = (message: WorkerMessage) =>
  Console.log(JSON.stringify(Schema.encodeSync(WorkerMessage)(message)))

/** The payload of a latency job; throughput jobs carry `{}`. */
export const LatencyPayload = Schema.Struct({ t: Schema.Number })
