/** The few statistics the benchmark reports. */

/** Nearest-rank percentile `p` (0–100] of `values`; NaN for no values. */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

/** The median of `values` (of an even count, the mean of the middle two); NaN for none. */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length / 2
  return sorted.length % 2 === 1
    ? (sorted[Math.floor(mid)] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2
}

/** The smallest of `values`; NaN for none. */
export const minimum = (values: ReadonlyArray<number>): number =>
  values.length === 0 ? Number.NaN : Math.min(...values)
