/**
 * How many assignments a worker asks for beyond its slots. A slot that frees waits one claim round
 * trip (credit out, claim, assignment back) for its next task unless one is already held; for
 * tasks shorter than that trip the slots sit idle most of the time. Held assignments hide the
 * trip, but a held task is one no other worker can start, so the window is sized to cover one
 * round trip of work and no more:
 *
 *   window ≈ slots × round trip ÷ mean run time, within [0, max]
 *
 * Tasks of a second or longer against a trip of milliseconds give 0: nothing is held beyond the
 * slots. When tasks turn out longer than the ones the window was sized on, the worker gives back
 * what it holds beyond twice the new window (`surplus`), unstarted and for any worker to take. A
 * fixed window (`--prefetch N`) skips the estimate and gives nothing back. Both averages are exponentially
 * weighted; a credit that waited long for its assignment (no work was ready) is not a round trip
 * and is not sampled. Plain mutable state, driven by the worker's one connection.
 */

/** `--prefetch`: a fixed number of held assignments, or sized from what the worker observes. */
export type Prefetch = number | "auto"

/** Credits answered slower than this waited for work, not for a round trip. */
const tripCeilingMillis = 250
/** Weight of a new sample in the moving averages. */
const weight = 0.1

const average = (mean: number | undefined, sample: number) =>
  mean === undefined ? sample : mean + weight * (sample - mean)

export class PrefetchWindow {
  /** Credits granted beyond the slots (so assignments may be held beyond them). */
  private extra: number
  private meanRunMillis: number | undefined
  private meanTripMillis: number | undefined
  /** Consecutive finished attempts that each ran longer than a round trip. */
  private longRuns = 0
  /** Send times of credits not answered yet, oldest first. */
  private pending: Array<number> = []
  private head = 0

  constructor(
    private readonly slots: number,
    private readonly prefetch: Prefetch,
    /**
     * Largest window `auto` grows to: 64 per slot, at most 1,024. The formula asks for more only
     * for tasks of well under a millisecond (no-op handlers); what it holds then is still about a
     * round trip of work, and `surplus` gives back what turns out too much.
     */
    private readonly max: number = Math.min(1024, 64 * slots),
  ) {
    this.extra = prefetch === "auto" ? 0 : Math.max(0, prefetch)
  }

  /** Credits to offer when the connection opens. */
  initial(): number {
    return this.slots + this.extra
  }

  /** The window `auto` aims for now. */
  target(): number {
    if (this.prefetch !== "auto") return Math.max(0, this.prefetch)
    if (this.meanRunMillis === undefined || this.meanTripMillis === undefined) return 0
    const wanted = Math.floor((this.slots * this.meanTripMillis) / Math.max(this.meanRunMillis, 0.001))
    return Math.min(this.max, Math.max(0, wanted))
  }

  /** `count` credits left at `now` (ms). */
  sent(count: number, now: number): void {
    for (let i = 0; i < count; i++) this.pending.push(now)
  }

  /** `count` assignments arrived at `now`: they answer the oldest credits. */
  assigned(count: number, now: number): void {
    for (let i = 0; i < count && this.head < this.pending.length; i++) {
      const trip = now - (this.pending[this.head++] ?? now)
      if (trip <= tripCeilingMillis) this.meanTripMillis = average(this.meanTripMillis, trip)
    }
    if (this.head >= 1024 && this.head * 2 >= this.pending.length) {
      this.pending = this.pending.slice(this.head)
      this.head = 0
    }
  }

  /**
   * How many of the `waiting` assignments (held, not started) to give back: under `auto`, once
   * the last two attempts each ran longer than a round trip, those beyond twice the window. Tasks
   * that turned out longer than the ones the window was sized on are then held by no one until they
   * can run; one slow run (the process descheduled mid-task) gives nothing back, and the slack keeps
   * a window that wobbles from churning.
   */
  surplus(waiting: number): number {
    if (this.prefetch !== "auto" || this.longRuns < 2) return 0
    const excess = waiting - 2 * this.target()
    if (excess <= 0) return 0
    // Those assignments took credits that do not come back: the window shrinks by as many.
    this.extra = Math.max(0, this.extra - excess)
    return excess
  }

  /**
   * An attempt ended (after running `ranMillis`, if it ran): the credits to send back. One for its
   * slot, more while the window grows; none, one finished attempt at a time, while it shrinks.
   */
  finished(ranMillis: number | undefined): number {
    if (ranMillis !== undefined) {
      this.meanRunMillis = average(this.meanRunMillis, ranMillis)
      const long = this.meanTripMillis !== undefined && ranMillis > this.meanTripMillis
      this.longRuns = long ? this.longRuns + 1 : 0
    }
    const target = this.target()
    if (this.extra < target) {
      const grow = target - this.extra
      this.extra = target
      return 1 + grow
    }
    if (this.extra > target) {
      this.extra--
      return 0
    }
    return 1
  }
}
