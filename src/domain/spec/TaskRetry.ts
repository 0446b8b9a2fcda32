/** A task's `retries`, `backoff` and `timeout`, read into the domain RetryPolicy. */
import { Backoff, RetryPolicy } from "../RetryPolicy.js"
import { type DocNode, type DocumentReader, describe, type Field } from "./DocumentReader.js"
import { CLOCK_EXPECTED, DURATION_EXPECTED, parseClock, parseDuration } from "./Durations.js"

/** Reads the retry fields of a task's mapping; absent fields take RetryPolicy's defaults. */
export const readRetry = (reader: DocumentReader, fields: ReadonlyMap<string, Field>): RetryPolicy => {
  const policy: { retries?: number; timeoutSeconds?: number } = {}
  const retries = fields.get("retries")
  if (retries !== undefined) {
    const n = reader.integer(retries.value, retries.path, 0)
    if (n !== undefined) policy.retries = n
  }
  const timeout = fields.get("timeout")
  if (timeout !== undefined) {
    const ms = readDuration(reader, timeout.value, timeout.path, true)
    if (ms !== undefined) policy.timeoutSeconds = Math.max(1, Math.ceil(ms / 1000))
  }
  const backoff = fields.get("backoff")
  return RetryPolicy.make({
    ...policy,
    backoff: backoff === undefined ? Backoff.make({}) : readBackoff(reader, backoff.value, backoff.path),
  })
}

const readBackoff = (reader: DocumentReader, node: DocNode, path: string): Backoff => {
  const out: { baseMs?: number; maxMs?: number; factor?: number; jitter?: number } = {}
  const fields = reader.record(node, path, ["base", "factor", "max", "jitter"])
  const base = fields?.get("base")
  if (base !== undefined) {
    const ms = readDuration(reader, base.value, base.path, false)
    if (ms !== undefined) out.baseMs = ms
  }
  const max = fields?.get("max")
  if (max !== undefined) {
    const ms = readDuration(reader, max.value, max.path, false)
    if (ms !== undefined) out.maxMs = ms
  }
  const factor = fields?.get("factor")
  if (factor !== undefined) {
    const f = reader.number(factor.value, factor.path, 1)
    if (f !== undefined) out.factor = f
  }
  const jitter = fields?.get("jitter")
  if (jitter !== undefined) {
    const j = reader.number(jitter.value, jitter.path, 0, 1)
    if (j !== undefined) out.jitter = j
  }
  return Backoff.make(out)
}

/** Milliseconds of a duration ("2s") or, when `clock` is allowed, of a clock time ("0:05:00"). */
const readDuration = (
  reader: DocumentReader,
  node: DocNode,
  path: string,
  clock: boolean,
): number | undefined => {
  const expected = clock ? `${CLOCK_EXPECTED} or ${DURATION_EXPECTED}` : DURATION_EXPECTED
  const text = reader.text(node, path, expected)
  if (text === undefined) return undefined
  const seconds = clock ? parseClock(text) : undefined
  const ms = seconds === undefined ? parseDuration(text) : seconds * 1000
  if (ms === undefined || (clock && ms === 0)) {
    reader.report(reader.deref(node), path, `invalid duration ${describe(reader.deref(node))}`, expected)
    return undefined
  }
  return ms
}
