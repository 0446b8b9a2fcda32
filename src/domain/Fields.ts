/**
 * Field schemas shared by the entities: JSON maps, timestamps, bounded names, e-mail addresses.
 * Validation lives here, in the schemas, so every boundary that decodes an entity enforces it.
 */
import { ParseResult, Schema, type SchemaAST } from "effect"

/** A JSON value, as stored in JSONB columns and carried in API bodies. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

/**
 * Where `value` stops being JSON: the path to the first value that is not, and that value. The
 * path is built on the way back out, only when something is found: a valid document (the common
 * case, walked at every boundary) allocates nothing.
 */
const firstNonJson = (
  value: unknown,
): { readonly path: Array<PropertyKey>; readonly value: unknown } | undefined => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined
    case "number":
      // Finite numbers only: NaN and Infinity do not survive JSON.stringify.
      return Number.isFinite(value) ? undefined : { path: [], value }
    case "object": {
      if (value === null) return undefined
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const bad = firstNonJson(value[i])
          if (bad !== undefined) {
            bad.path.unshift(i)
            return bad
          }
        }
        return undefined
      }
      // Plain objects only: a Date or a class instance is not what JSON.parse gives back.
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return { path: [], value }
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        const bad = firstNonJson((value as Record<string, unknown>)[key])
        if (bad !== undefined) {
          bad.path.unshift(key)
          return bad
        }
      }
      return undefined
    }
    default:
      return { path: [], value }
  }
}

const jsonIssue = (input: unknown, ast: SchemaAST.Declaration): ParseResult.ParseIssue | undefined => {
  const bad = firstNonJson(input)
  if (bad === undefined) return undefined
  const message =
    typeof bad.value === "number"
      ? "Expected a finite number"
      : "Expected a JSON value (null, boolean, finite number, string, array or plain object)"
  const type = new ParseResult.Type(ast, bad.value, `${message}, actual ${String(bad.value)}`)
  const [head, ...rest] = bad.path
  return head === undefined ? type : new ParseResult.Pointer([head, ...rest], input, type)
}

// A declared schema checked by one recursive walk: the equivalent Schema.Union of the six JSON
// shapes tries each member at every node, which made JSON the dearest part of every submission.
const checkJson = () => (input: unknown, _options: SchemaAST.ParseOptions, ast: SchemaAST.Declaration) => {
  const issue = jsonIssue(input, ast)
  return issue === undefined ? ParseResult.succeed(input as JsonValue) : ParseResult.fail(issue)
}

export const JsonValue: Schema.Schema<JsonValue> = Schema.declare(
  [],
  { decode: checkJson, encode: checkJson },
  {
    identifier: "JsonValue",
    description: "a JSON value: null, a boolean, a finite number, a string, an array or a plain object",
  },
)

/** A free-form JSON object (`metadata`, `details`, `capabilities`). */
export const JsonObject = Schema.Record({ key: Schema.String, value: JsonValue })
export type JsonObject = typeof JsonObject.Type

/** An optional JSON object field that decodes to `{}` when absent. */
export const metadataField = Schema.optionalWith(JsonObject, { default: () => ({}) })

/** A point in time, UTC. Encoded as an ISO-8601 string, decoded to `DateTime.Utc`. */
export const Timestamp = Schema.DateTimeUtc
export type Timestamp = typeof Timestamp.Type

/** A trimmed string of `min`–`max` characters, e.g. entity names. */
export const boundedString = (min: number, max: number) =>
  Schema.String.pipe(
    Schema.filter((s) => s.trim() === s || "expected no leading or trailing whitespace"),
    Schema.filter((s) => (s.length >= min && s.length <= max) || `expected ${min} to ${max} characters`),
  )

/** An e-mail address: something, an '@', something, no whitespace. Deliverability is not our business. */
export const Email = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.pattern(/^[^@\s]+@[^@\s]+$/, { message: () => "expected an e-mail address like name@example.org" }),
  Schema.brand("Email"),
)
export type Email = typeof Email.Type

/**
 * Whether `value` is an object whose own values are all strings, as a string-to-string
 * `Schema.Record` requires — checked by hand for hot paths; arrays are left to the schema.
 */
export const isStringRecord = (value: unknown): value is Record<string, string> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  for (const key of Object.keys(value)) {
    if (typeof (value as Record<string, unknown>)[key] !== "string") return false
  }
  return true
}

/** A count or size: an integer ≥ 0. */
export const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())

/** A finite number ≥ 0 (costs, seconds). */
export const NonNegativeNumber = Schema.Finite.pipe(Schema.nonNegative())
