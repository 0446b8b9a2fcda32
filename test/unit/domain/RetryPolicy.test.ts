import { describe, expect, it } from "@effect/vitest"
import { Duration, Either, FastCheck as fc, Schema } from "effect"
import { Backoff, RetryPolicy, retryDelay } from "../../../src/domain/RetryPolicy.js"

const ms = (d: Duration.Duration) => Duration.toMillis(d)
const noJitter = (fields: Partial<Omit<Backoff, "_tag">>) => Backoff.make({ jitter: 0, ...fields })

describe("RetryPolicy schema", () => {
  it("fills documented defaults", () => {
    const policy = Schema.decodeUnknownSync(RetryPolicy)({})
    expect(policy.retries).toBe(3)
    expect(policy.timeoutSeconds).toBeUndefined()
    expect(policy.backoff).toMatchObject({ baseMs: 1_000, factor: 2, maxMs: 300_000, jitter: 0.1 })
  })

  it.each([
    [{ retries: -1 }, "retries"],
    [{ timeoutSeconds: 0 }, "timeoutSeconds"],
    [{ backoff: { factor: 0.5 } }, "factor"],
    [{ backoff: { factor: Number.POSITIVE_INFINITY } }, "factor"],
    [{ backoff: { jitter: 1.5 } }, "jitter"],
    [{ backoff: { baseMs: 1.5 } }, "baseMs"],
  ])("rejects %j naming %s", (input, field) => {
    const result = Schema.decodeUnknownEither(RetryPolicy)(input)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) expect(result.left.message).toContain(`["${field}"]`)
  })
})

describe("retryDelay", () => {
  it("starts at the base delay and grows by the factor", () => {
    const backoff = noJitter({ baseMs: 100, factor: 3, maxMs: 1_000_000 })
    expect([1, 2, 3, 4].map((retry) => ms(retryDelay(backoff, retry, 0.5)))).toEqual([100, 300, 900, 2_700])
  })

  it("treats retry 0 (or less) like the first retry", () => {
    const backoff = noJitter({ baseMs: 250 })
    expect(ms(retryDelay(backoff, 0, 0))).toBe(250)
    expect(ms(retryDelay(backoff, -3, 0))).toBe(250)
  })

  it("caps the delay at maxMs", () => {
    const backoff = noJitter({ baseMs: 1_000, factor: 10, maxMs: 5_000 })
    expect(ms(retryDelay(backoff, 2, 0))).toBe(5_000)
    expect(ms(retryDelay(backoff, 50, 0))).toBe(5_000)
    expect(ms(retryDelay(backoff, 10_000, 0))).toBe(5_000)
  })

  it("stays zero with a zero base even when the growth overflows", () => {
    const backoff = noJitter({ baseMs: 0, factor: 1e300 })
    expect(ms(retryDelay(backoff, 5, 0))).toBe(0)
  })

  it("takes away at most the jitter fraction", () => {
    const backoff = Backoff.make({ baseMs: 1_000, factor: 2, maxMs: 60_000, jitter: 0.25 })
    expect(ms(retryDelay(backoff, 1, 0))).toBe(1_000)
    expect(ms(retryDelay(backoff, 1, 0.5))).toBe(875)
    expect(ms(retryDelay(backoff, 1, 0.999_999))).toBe(750)
    // 64 000 capped to 60 000 first, then jittered: the cap bounds the delay before jitter.
    expect(ms(retryDelay(backoff, 7, 0.5))).toBe(52_500)
  })

  it("a constant policy (factor 1, no jitter) always waits the base", () => {
    const backoff = noJitter({ baseMs: 2_000, factor: 1 })
    expect([1, 5, 100].map((retry) => ms(retryDelay(backoff, retry, 0.3)))).toEqual([2_000, 2_000, 2_000])
  })

  const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })
  const retry = fc.integer({ min: 1, max: 200 })

  it.prop(
    "stays within [(1 - jitter) × d, d] where d = min(maxMs, base × factor^(retry-1))",
    {
      backoff: Backoff,
      retry,
      random,
    },
    ({ backoff, retry, random }) => {
      const delay = ms(retryDelay(backoff, retry, random))
      const d =
        backoff.baseMs === 0 ? 0 : Math.min(backoff.maxMs, backoff.baseMs * backoff.factor ** (retry - 1))
      expect(Number.isInteger(delay)).toBe(true)
      expect(delay).toBeLessThanOrEqual(Math.ceil(d))
      expect(delay).toBeGreaterThanOrEqual(Math.floor(d * (1 - backoff.jitter)))
      expect(delay).toBeLessThanOrEqual(backoff.maxMs)
    },
  )

  it.prop(
    "never shrinks from one retry to the next for the same random draw",
    {
      backoff: Backoff,
      retry,
      random,
    },
    ({ backoff, retry, random }) => {
      expect(ms(retryDelay(backoff, retry + 1, random))).toBeGreaterThanOrEqual(
        ms(retryDelay(backoff, retry, random)),
      )
    },
  )
})
