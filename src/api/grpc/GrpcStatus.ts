/**
 * gRPC status codes: names ↔ grpc-js numbers, and the mapping from our domain error codes to the
 * status a worker sees.
 */
import { status as GrpcCode } from "@grpc/grpc-js"
import { Option, Schema } from "effect"
import { GrpcStatusError, GrpcStatusName } from "./GrpcErrors.js"

/** The grpc-js number of a status name. */
export const grpcStatusCode = (name: GrpcStatusName): GrpcCode => GrpcCode[name]

/** The name of a status number; numbers outside the gRPC table are UNKNOWN, as the spec says. */
export const grpcStatusName = (code: number): GrpcStatusName =>
  Option.getOrElse(Schema.decodeUnknownOption(GrpcStatusName)(GrpcCode[code]), () => "UNKNOWN" as const)

const byCode: Readonly<Record<string, GrpcStatusName>> = {
  INVALID_INPUT: "INVALID_ARGUMENT",
  INVALID_WIRE_MESSAGE: "INVALID_ARGUMENT",
  // The reference server answers a registration whose ids do not match the worker row this way.
  WORKER_REGISTRATION_MISMATCH: "INVALID_ARGUMENT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  WORKER_UNAUTHENTICATED: "UNAUTHENTICATED",
  TOKEN_EXPIRED: "UNAUTHENTICATED",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  CREDENTIAL_ACCESS_DENIED: "PERMISSION_DENIED",
  // The reference server answers a report from a worker that does not hold the task this way.
  TASK_NOT_ASSIGNED: "PERMISSION_DENIED",
  STALE_ATTEMPT: "FAILED_PRECONDITION",
  LEASE_LOST: "FAILED_PRECONDITION",
  INVALID_STATE_TRANSITION: "FAILED_PRECONDITION",
  INVALID_EXPERIMENT_STATE: "FAILED_PRECONDITION",
  EXPERIMENT_NOT_RUNNABLE: "FAILED_PRECONDITION",
  // gRPC's guidance: a lost compare-and-set is retried by the caller at a higher level.
  CONCURRENCY_CONFLICT: "ABORTED",
  WORKER_ALREADY_CONNECTED: "ALREADY_EXISTS",
  SERVICE_UNAVAILABLE: "UNAVAILABLE",
  RESOURCE_CAPACITY_EXCEEDED: "RESOURCE_EXHAUSTED",
}

/**
 * The status for a domain error code (the stable upper-snake `code` every domain error carries).
 * `*_NOT_FOUND` → NOT_FOUND and `*_ALREADY_EXISTS` → ALREADY_EXISTS; a code without a rule is a
 * business rule the request broke, hence FAILED_PRECONDITION (never INTERNAL: that is for defects).
 */
export const statusForErrorCode = (code: string): GrpcStatusName => {
  const known = byCode[code]
  if (known !== undefined) return known
  if (code.endsWith("_NOT_FOUND")) return "NOT_FOUND"
  if (code.endsWith("_ALREADY_EXISTS")) return "ALREADY_EXISTS"
  return "FAILED_PRECONDITION"
}

/** Turns a domain error into the status a handler answers with; its message becomes the details. */
export const toGrpcStatusError = (error: {
  readonly code: string
  readonly message: string
}): GrpcStatusError =>
  error instanceof GrpcStatusError
    ? error
    : new GrpcStatusError({
        status: statusForErrorCode(error.code),
        message: error.message,
        errorCode: error.code,
      })
