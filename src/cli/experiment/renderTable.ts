/** Plain aligned text tables: columns padded to their widest cell, two spaces apart. */

/** One-line form of a cell: newlines and tabs would break the alignment. */
export const cell = (text: string | undefined): string =>
  text === undefined || text.trim() === "" ? "-" : text.replace(/\s+/g, " ").trim()

/** The rows, aligned, each line ending in a newline; the last column is not padded. */
export const alignRows = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const columns = Math.max(0, ...rows.map((row) => row.length))
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(0, ...rows.map((row) => (row[i] ?? "").length)),
  )
  const line = (row: ReadonlyArray<string>) =>
    `${row
      .map((text, i) => (i === row.length - 1 ? text : text.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()}\n`
  return rows.map(line).join("")
}

/** A header row above the rows. */
export const renderTable = (
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
): string => alignRows([headers, ...rows])
