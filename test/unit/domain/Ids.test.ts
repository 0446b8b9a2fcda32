import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Schema } from "effect"
import { isStringRecord } from "../../../src/domain/Fields.js"
import { isIdText, TaskId } from "../../../src/domain/Ids.js"

// The hand checks stand in for the schemas on hot paths: they must accept exactly what they accept.
describe("hand checks agree with their schemas", () => {
  const idLike = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ minLength: 250, maxLength: 260 }),
    fc.constantFrom("", " a", "a ", "\ta", "a\n", "x".repeat(255), "x".repeat(256)),
    fc.anything(),
  )

  it.prop("isIdText is the id schemas' rule", { value: idLike }, ({ value }) => {
    expect(isIdText(value)).toBe(Schema.is(TaskId)(value))
  })

  const isStringMap = Schema.is(Schema.Record({ key: Schema.String, value: Schema.String }))

  it.prop(
    "isStringRecord accepts what a string-to-string Record accepts, arrays aside",
    { value: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), fc.anything()) },
    ({ value }) => {
      if (Array.isArray(value)) expect(isStringRecord(value)).toBe(false)
      else expect(isStringRecord(value)).toBe(isStringMap(value))
    },
  )
})
