import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { Email, JsonObject, JsonValue } from "../../../src/domain/Fields.js"

describe("JsonValue", () => {
  it("accepts nested JSON", () => {
    const value = { a: [1, "two", null, true, { b: -0.5 }], c: {} }
    expect(Schema.decodeUnknownSync(JsonValue)(value)).toEqual(value)
  })

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["undefined", undefined],
    ["a function", () => 1],
    ["a nested bigint", { a: [1n] }],
  ])("rejects %s", (_, value) => {
    expect(Either.isLeft(Schema.decodeUnknownEither(JsonValue)(value))).toBe(true)
  })

  it("JsonObject rejects arrays and scalars", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(JsonObject)([1]))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(JsonObject)("x"))).toBe(true)
  })
})

describe("Email", () => {
  it.each(["a@b", "first.last+tag@example.org"])("accepts %s", (email) => {
    expect(Schema.decodeUnknownSync(Email)(email)).toBe(email)
  })

  it.each(["", "ab", "@b", "a@", "a b@c", `${"a".repeat(250)}@b.org`])("rejects %j", (email) => {
    expect(Either.isLeft(Schema.decodeUnknownEither(Email)(email))).toBe(true)
  })
})
