/**
 * Server-side prepared statements for @effect/sql-pg, which sends every statement unnamed (parsed
 * and planned on each execution). The store's statements are fixed texts with placeholders, so
 * each pooled connection names them by content hash on first use and re-executes the prepared
 * plan afterwards — for the claim, planning is about half of its server time.
 */
import { createHash } from "node:crypto"
import type pg from "pg"

// Past this many distinct texts (e.g. ad-hoc SQL of another component on the same pool), further
// texts run unnamed, so a connection's prepared statements stay bounded.
const maxStatements = 1000

const names = new Map<string, string>()

const nameOf = (text: string): string | undefined => {
  const known = names.get(text)
  if (known !== undefined || names.size >= maxStatements) return known
  const name = `airavata_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`
  names.set(text, name)
  return name
}

/**
 * Makes `client.query(text, values, callback)` — the form @effect/sql-pg uses — run as a named
 * statement. Parameterless texts (migrations hold several statements) keep the simple protocol.
 */
export const prepareStatements = (client: pg.PoolClient): void => {
  const query = client.query
  Object.defineProperty(client, "query", {
    configurable: true,
    value: (...args: Array<unknown>): unknown => {
      const [text, values, callback] = args
      const name = typeof text === "string" ? nameOf(text) : undefined
      return name !== undefined &&
        Array.isArray(values) &&
        values.length > 0 &&
        typeof callback === "function"
        ? Reflect.apply(query, client, [{ name, text, values }, callback])
        : Reflect.apply(query, client, args)
    },
  })
}
