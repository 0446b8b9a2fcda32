/** Durations as spec authors write them: "500ms", "2s", "1m30s", "1h", or a clock time "H:MM:SS". */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g
const CLOCK = /^(\d+):([0-5]\d):([0-5]\d)$/

/** What the duration parsers accept, for error messages. */
export const DURATION_EXPECTED = 'a duration such as "500ms", "2s", "1m30s", "1h"'
export const CLOCK_EXPECTED = 'a walltime "H:MM:SS", e.g. "0:05:00"'

/** Milliseconds of a unit duration like "1m30s"; undefined when the text is not one. */
export const parseDuration = (text: string): number | undefined => {
  if (!DURATION.test(text)) return undefined
  let ms = 0
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * (UNIT_MS[unit ?? ""] ?? 0)
  return Math.round(ms)
}

/** Seconds of a clock time "H:MM:SS" (hours may exceed 24); undefined when the text is not one. */
export const parseClock = (text: string): number | undefined => {
  const m = CLOCK.exec(text)
  return m === null ? undefined : Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])
}

/** Seconds as "H:MM:SS". */
export const formatClock = (seconds: number): string => {
  const s = Math.ceil(seconds)
  const pad = (n: number) => String(n).padStart(2, "0")
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`
}
