/** Errors of coordination between writers and of the services the scheduler depends on. */
import { Schema } from "effect"
import { EntityKind, entityLabel } from "./EntityErrors.js"

/** The version of a row a compare-and-set expected or found: its status and/or attempt. */
export const RowVersion = Schema.Struct({
  status: Schema.optional(Schema.String),
  attempt: Schema.optional(Schema.Int),
})
export type RowVersion = typeof RowVersion.Type

const showVersion = (v: RowVersion): string =>
  [v.status, v.attempt === undefined ? undefined : `attempt ${v.attempt}`]
    .filter((part) => part !== undefined)
    .join(" ") || "any version"

/** A compare-and-set on `(status, attempt)` found the row changed by another writer. */
export class ConcurrencyConflict extends Schema.TaggedError<ConcurrencyConflict>()("ConcurrencyConflict", {
  entity: EntityKind,
  id: Schema.String,
  expected: RowVersion,
  actual: RowVersion,
}) {
  readonly code = "CONCURRENCY_CONFLICT"
  override get message() {
    return `${entityLabel(this.entity)} ${this.id} changed concurrently: expected ${showVersion(this.expected)}, found ${showVersion(this.actual)}`
  }
}

/**
 * A service the operation needs (vault, authorization, a compute provider) did not answer.
 * `reason` is the boundary's summary, never a raw driver error that could carry a secret.
 */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()("ServiceUnavailable", {
  service: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "SERVICE_UNAVAILABLE"
  override get message() {
    return `${this.service} is unavailable: ${this.reason}`
  }
}
