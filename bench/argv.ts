/** Flags of the benchmark scripts (`--name value`), read from process.argv. */

/** A non-negative integer flag, or `fallback` when absent or malformed. */
export const numberOption = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at >= 0 ? Number(process.argv[at + 1]) : Number.NaN
  return Number.isInteger(value) && value >= 0 ? value : fallback
}

/** A string flag, or undefined when absent. */
export const stringOption = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? process.argv[at + 1] : undefined
}
