/** Decode helpers for the schema tests: assert success, or failure that names a field. */
import { expect } from "@effect/vitest"
import { Either, Schema } from "effect"

/** Decodes like a boundary would (unknown input) and fails the test with the parse message otherwise. */
export const decodeOk = <A, I>(schema: Schema.Schema<A, I>, input: unknown): A => {
  const result = Schema.decodeUnknownEither(schema)(input)
  if (Either.isLeft(result)) return expect.fail(result.left.message)
  return result.right
}

/**
 * Asserts decoding fails and the message names the offending field (`["field"]` in Effect's tree
 * format) and contains `fragment`, the human explanation. Returns the message for further checks.
 */
export const decodeFails = <A, I>(
  schema: Schema.Schema<A, I>,
  input: unknown,
  field: string,
  fragment: string,
): string => {
  const result = Schema.decodeUnknownEither(schema)(input)
  if (Either.isRight(result)) return expect.fail(`expected ${field} to be rejected`)
  expect(result.left.message).toContain(`["${field}"]`)
  expect(result.left.message).toContain(fragment)
  return result.left.message
}

/** Decoding then encoding then decoding again yields an equal value. */
export const roundTrips = <A, I>(schema: Schema.Schema<A, I>, value: A): void => {
  const encoded = Schema.encodeSync(schema)(value)
  expect(Schema.decodeUnknownSync(schema)(encoded)).toEqual(value)
}

export const t0 = "2025-01-01T00:00:00.000Z"
export const t1 = "2025-01-01T01:00:00.000Z"
export const sha = "a".repeat(64)
