/**
 * Field schemas shared by the entities: JSON maps, timestamps, bounded names, e-mail addresses.
 * Validation lives here, in the schemas, so every boundary that decodes an entity enforces it.
 */
import { Schema } from "effect"

/** A JSON value, as stored in JSONB columns and carried in API bodies. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

// Finite numbers only: NaN and Infinity do not survive JSON.stringify.
export const JsonValue: Schema.Schema<JsonValue> = Schema.Union(
  Schema.Null,
  Schema.Boolean,
  Schema.Finite,
  Schema.String,
  Schema.Array(Schema.suspend(() => JsonValue)),
  Schema.Record({ key: Schema.String, value: Schema.suspend(() => JsonValue) }),
).annotations({ identifier: "JsonValue" })

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
