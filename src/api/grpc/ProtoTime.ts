/** google.protobuf Duration / Timestamp ↔ Effect Duration and epoch milliseconds. */
import { Duration } from "effect"
import type { Duration as WireDuration } from "./generated/google/protobuf/duration.js"
import type { Timestamp } from "./generated/google/protobuf/timestamp.js"

// google.protobuf.Duration's documented range: ±10,000 years.
const maxSeconds = 315_576_000_000

const split = (millis: number): { seconds: number; nanos: number } => {
  const seconds = Math.floor(millis / 1000)
  return { seconds, nanos: Math.round((millis - seconds * 1000) * 1_000_000) }
}

/** A Duration on the wire; infinite durations become the longest one protobuf allows. */
export const durationToProto = (duration: Duration.DurationInput): WireDuration => {
  const millis = Duration.toMillis(Duration.decode(duration))
  return Number.isFinite(millis) ? split(millis) : { seconds: maxSeconds, nanos: 0 }
}

/** A wire Duration as an Effect Duration; absent means zero, as in proto3. */
export const durationFromProto = (duration: WireDuration | undefined): Duration.Duration =>
  duration === undefined
    ? Duration.zero
    : Duration.millis(duration.seconds * 1000 + duration.nanos / 1_000_000)

/** Epoch milliseconds as a Timestamp. */
export const timestampFromMillis = (millis: number): Timestamp => split(millis)

/** A Timestamp as epoch milliseconds; undefined when absent. */
export const timestampToMillis = (timestamp: Timestamp | undefined): number | undefined =>
  timestamp === undefined ? undefined : timestamp.seconds * 1000 + timestamp.nanos / 1_000_000
