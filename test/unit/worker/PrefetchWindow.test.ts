/** The worker's prefetch window: one claim round trip of work per slot, within [0, max]. */
import { describe, expect, it } from "@effect/vitest"
import { PrefetchWindow } from "../../../src/worker/PrefetchWindow.js"

/** Credits sent at `at` and answered `trip` ms later, `rounds` times (one credit each). */
const observeTrips = (window: PrefetchWindow, trip: number, rounds = 20, at = 0) => {
  for (let i = 0; i < rounds; i++) {
    window.sent(1, at + i * 1000)
    window.assigned(1, at + i * 1000 + trip)
  }
}

/** Credits returned by `count` attempts that each ran `ranMillis`. */
const finishAll = (window: PrefetchWindow, count: number, ranMillis: number | undefined) =>
  Array.from({ length: count }, () => window.finished(ranMillis))

describe("PrefetchWindow", () => {
  it("a fixed window asks for slots + N at once and one credit per finished attempt", () => {
    const window = new PrefetchWindow(16, 48)
    expect(window.initial()).toBe(64)
    observeTrips(window, 10)
    expect(finishAll(window, 5, 0.05)).toEqual([1, 1, 1, 1, 1])
  })

  it("auto starts with the slots alone and holds nothing before it has measured anything", () => {
    const window = new PrefetchWindow(4, "auto")
    expect(window.initial()).toBe(4)
    expect(finishAll(window, 3, undefined)).toEqual([1, 1, 1])
    expect(window.target()).toBe(0)
  })

  it("auto grows to its cap for tasks far shorter than a round trip", () => {
    const window = new PrefetchWindow(16, "auto")
    observeTrips(window, 10)
    // 16 × 10 ms ÷ 0.05 ms is far past the cap of 1,024: the first finish asks for all of it.
    expect(window.finished(0.05)).toBe(1 + 1024)
    expect(finishAll(window, 3, 0.05)).toEqual([1, 1, 1])
  })

  it("auto sizes the window to one round trip of work per slot", () => {
    const window = new PrefetchWindow(4, "auto")
    observeTrips(window, 10)
    // 4 slots × 10 ms ÷ 20 ms per task: 2 held beyond the slots.
    expect(window.finished(20)).toBe(1 + 2)
    expect(window.target()).toBe(2)
  })

  it("auto holds nothing beyond the slots for tasks longer than the round trip", () => {
    const window = new PrefetchWindow(4, "auto")
    observeTrips(window, 10)
    expect(finishAll(window, 3, 1_000)).toEqual([1, 1, 1])
    expect(window.target()).toBe(0)
  })

  it("a window that shrinks withholds one credit per finished attempt until it fits", () => {
    const window = new PrefetchWindow(2, "auto", 8)
    observeTrips(window, 10)
    expect(window.finished(0.01)).toBe(1 + 8)
    // Tasks turn long: the average follows them down, and the 8 extra credits are not returned.
    const credits = finishAll(window, 200, 5_000)
    expect(credits.slice(0, 8).every((c) => c <= 1)).toBe(true)
    expect(credits.filter((c) => c === 0)).toHaveLength(8)
    expect(credits.slice(-20)).toEqual(Array.from({ length: 20 }, () => 1))
    expect(window.target()).toBe(0)
  })

  it("a credit that waited long for work is not taken for a round trip", () => {
    const window = new PrefetchWindow(4, "auto")
    // Nothing to claim for 2 s: the answer says nothing about the trip.
    window.sent(4, 0)
    window.assigned(4, 2_000)
    expect(window.finished(0.05)).toBe(1)
    expect(window.target()).toBe(0)
  })

  it("assignments answer the oldest credits first", () => {
    const window = new PrefetchWindow(1, "auto", 100)
    window.sent(1, 0) // answered after 1,000 ms: waited for work
    window.sent(1, 995) // answered after 5 ms
    window.assigned(2, 1_000)
    // 1 slot × 5 ms ÷ 1 ms: 5, not 1,000.
    expect(window.finished(1)).toBe(1 + 5)
  })
  it("auto gives back what it holds beyond twice the window once tasks turn long", () => {
    const window = new PrefetchWindow(4, "auto", 40)
    observeTrips(window, 10)
    expect(window.finished(1)).toBe(1 + 40)
    expect(window.surplus(30)).toBe(0) // 30 waiting ≤ 2 × 40
    // Tasks of 2 s: the window falls to 4 × 10 ÷ ~200 = 0 after the first; after the second
    // (two long runs in a row, not one slow outlier) all 30 go back.
    expect(window.finished(2_000)).toBe(0)
    expect(window.target()).toBe(0)
    expect(window.surplus(30)).toBe(0)
    expect(window.finished(2_000)).toBe(0)
    expect(window.surplus(30)).toBe(30)
    // The window shrank by what went back; no more credits until it is down to its target.
    expect(finishAll(window, 20, 2_000).reduce((a, b) => a + b, 0)).toBe(20 - 8)
  })

  it("a fixed window never gives anything back", () => {
    const window = new PrefetchWindow(4, 8)
    observeTrips(window, 10)
    expect(window.finished(5_000)).toBe(1)
    expect(window.surplus(8)).toBe(0)
  })
  it("one slow run among short ones gives nothing back", () => {
    const window = new PrefetchWindow(1, "auto", 64)
    observeTrips(window, 5)
    expect(window.finished(0.05)).toBe(1 + 64)
    // Descheduled mid-task once: the window dips, but what it holds stays.
    window.finished(50)
    expect(window.surplus(60)).toBe(0)
    window.finished(0.05)
    expect(window.surplus(60)).toBe(0)
  })
})
