/** The few statistics the benchmark reports. */

/** Nearest-rank percentile `p` (0–100] of `values`; NaN for no values. */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

/** The median (p50, nearest rank) of `values`. */
export const median = (values: ReadonlyArray<number>): number => percentile(values, 50)

/** The smallest of `values`; NaN for none. */
export const minimum = (values: ReadonlyArray<number>): number =>
  values.length === 0 ? Number.NaN : Math.min(...values)
