/**
 * Where database failures become domain errors: SqlError → ServiceUnavailable("store"), constraint
 * violations named by SQLSTATE and constraint, and transactions that retry deadlocks.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Predicate } from "effect"
import { ServiceUnavailable } from "../../domain/Errors.js"

/** SQLSTATE and constraint name of a failed statement, when the driver reported them. */
export interface SqlFailure {
  readonly code: string | undefined
  readonly constraint: string | undefined
  /** The driver's message, e.g. 'insert or update on table "tasks" violates foreign key constraint …'. */
  readonly message: string
  /** PostgreSQL's DETAIL, e.g. 'Key (depends_on)=(…) is not present in table "tasks".' */
  readonly detail: string | undefined
}

const stringField = (value: unknown, field: string): string | undefined =>
  Predicate.hasProperty(value, field) && typeof value[field] === "string" ? value[field] : undefined

/** Reads the PostgreSQL error fields that node-postgres and PGlite both attach to their errors. */
export const failureOf = (error: SqlError): SqlFailure => ({
  code: stringField(error.cause, "code"),
  constraint: stringField(error.cause, "constraint"),
  message: stringField(error.cause, "message") ?? error.message,
  detail: stringField(error.cause, "detail"),
})

export const isForeignKeyViolation = (error: SqlError, constraint?: string): boolean => {
  const failure = failureOf(error)
  return failure.code === "23503" && (constraint === undefined || failure.constraint === constraint)
}

// Deadlock, serialization failure: the transaction was rolled back and may simply run again.
const isRetryable = (error: unknown): boolean => {
  if (!(error instanceof SqlError)) return false
  const code = failureOf(error).code
  return code === "40P01" || code === "40001"
}

/** The store-facing form of a database failure. Driver messages carry no credentials. */
export const unavailable = (error: SqlError): ServiceUnavailable => {
  const failure = failureOf(error)
  const code = failure.code === undefined ? "" : ` [SQLSTATE ${failure.code}]`
  return new ServiceUnavailable({ service: "store", reason: `${error.message}: ${failure.message}${code}` })
}

/** Maps every SqlError left in `effect` to ServiceUnavailable. */
export const orUnavailable = <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>) =>
  Effect.catchIf(
    effect,
    (error): error is SqlError => error instanceof SqlError,
    (error) => Effect.fail(unavailable(error)),
  )

/**
 * Runs `effect` — one autocommitted statement, or a whole transaction — again (up to 4 more times)
 * when PostgreSQL aborted it as a deadlock victim or serialization failure, and maps remaining
 * SqlErrors to ServiceUnavailable.
 */
export const retrying = <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>) =>
  orUnavailable(retryAborted(effect, 4))

// A catch that runs `effect` again, rather than Effect.retry: a retry builds its schedule's state on
// every run, and nearly every statement of the store succeeds the first time.
const retryAborted = <A, E, R>(effect: Effect.Effect<A, E, R>, times: number): Effect.Effect<A, E, R> =>
  Effect.catchIf(effect, isRetryable, (error) =>
    times > 0 ? retryAborted(effect, times - 1) : Effect.fail(error),
  )

/** Runs `effect` as one transaction, retried and mapped as `retrying`. */
export const transaction =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>) =>
    retrying(sql.withTransaction(effect))
