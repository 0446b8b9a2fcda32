/** "Did you mean …?" suggestions for misspelt names. */

/** Edit distance counting insertions, deletions, substitutions and adjacent transpositions. */
const distance = (a: string, b: string): number => {
  const rows: Array<Array<number>> = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    rows.push(row)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, at(i - 2, j - 2) + 1)
      row.push(d)
    }
  }
  return at(a.length, b.length)
}

/**
 * The candidate closest to `name` (case-insensitive), when it is close enough to be a plausible
 * typo: at most one edit per three characters of the name, and at least one edit allowed.
 */
export const didYouMean = (name: string, candidates: Iterable<string>): string | undefined => {
  const limit = Math.max(1, Math.floor(name.length / 3))
  let best: { readonly candidate: string; readonly d: number } | undefined
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase())
    if (d <= limit && (best === undefined || d < best.d)) best = { candidate, d }
  }
  return best?.candidate
}
