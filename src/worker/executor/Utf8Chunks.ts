/**
 * Bounding output chunks by their UTF-8 size without splitting a character: the wire and the
 * log viewers count bytes, JavaScript strings count UTF-16 units.
 */

/** A piece of text together with its UTF-8 length. */
export interface Utf8Piece {
  readonly text: string
  readonly bytes: number
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, never inside a code point. */
export const splitUtf8 = (text: string, maxBytes: number): Array<Utf8Piece> => {
  if (text.length === 0) return []
  // Every UTF-16 unit encodes to at most 3 bytes, so short text needs no measuring loop.
  if (text.length * 3 <= maxBytes) return [{ text, bytes: Buffer.byteLength(text, "utf8") }]
  const total = Buffer.byteLength(text, "utf8")
  if (total <= maxBytes) return [{ text, bytes: total }]
  const pieces: Array<Utf8Piece> = []
  let start = 0
  let bytes = 0
  let i = 0
  while (i < text.length) {
    const unit = text.charCodeAt(i)
    let width = 3
    let units = 1
    if (unit < 0x80) width = 1
    else if (unit < 0x800) width = 2
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 4
        units = 2
      }
    }
    if (bytes + width > maxBytes) {
      pieces.push({ text: text.slice(start, i), bytes })
      start = i
      bytes = 0
    }
    bytes += width
    i += units
  }
  pieces.push({ text: text.slice(start), bytes })
  return pieces
}
