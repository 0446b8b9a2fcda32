/**
 * The domain error catalogue. Every error is a Schema.TaggedError with structured fields and a
 * stable upper-snake `code` that the HTTP and gRPC layers map to statuses. The classes live in
 * errors/, one file per area; this module re-exports them and lists every code.
 */
import type { DomainError } from "./errors/DomainError.js"

export * from "./errors/AuthErrors.js"
export * from "./errors/CredentialErrors.js"
export * from "./errors/DataErrors.js"
export type { DomainError } from "./errors/DomainError.js"
export * from "./errors/EntityErrors.js"
export * from "./errors/ExperimentErrors.js"
export * from "./errors/ResourceErrors.js"
export * from "./errors/SchedulingErrors.js"
export * from "./errors/StateErrors.js"
export * from "./errors/SystemErrors.js"
export * from "./errors/TaskErrors.js"
export * from "./errors/ValidationErrors.js"
export * from "./errors/WorkerErrors.js"

/** Every stable error code. */
export type DomainErrorCode = DomainError["code"]

// Accepts the list only if it names every code: a new error class fails to compile until listed.
const everyCode = <const C extends ReadonlyArray<DomainErrorCode>>(
  codes: C &
    ([Exclude<DomainErrorCode, C[number]>] extends [never]
      ? unknown
      : { readonly missingCodes: Exclude<DomainErrorCode, C[number]> }),
): C => codes

/** Every code a DomainError can carry, each once. */
export const errorCodes: ReadonlyArray<DomainErrorCode> = everyCode([
  // entity
  "USER_NOT_FOUND",
  "GROUP_NOT_FOUND",
  "PROJECT_NOT_FOUND",
  "RESOURCE_NOT_FOUND",
  "CREDENTIAL_NOT_FOUND",
  "EXPERIMENT_NOT_FOUND",
  "TASK_NOT_FOUND",
  "WORKER_NOT_FOUND",
  "USER_ALREADY_EXISTS",
  "GROUP_ALREADY_EXISTS",
  "PROJECT_ALREADY_EXISTS",
  "RESOURCE_ALREADY_EXISTS",
  "CREDENTIAL_ALREADY_EXISTS",
  "EXPERIMENT_ALREADY_EXISTS",
  "TASK_ALREADY_EXISTS",
  "WORKER_ALREADY_EXISTS",
  // state
  "INVALID_STATE_TRANSITION",
  // resource
  "RESOURCE_UNAVAILABLE",
  "RESOURCE_IN_USE",
  "RESOURCE_CAPACITY_EXCEEDED",
  // credential
  "CREDENTIAL_ACCESS_DENIED",
  "CREDENTIAL_INVALID",
  "NO_USABLE_CREDENTIAL",
  // experiment
  "EXPERIMENT_IN_PROGRESS",
  "INVALID_EXPERIMENT_STATE",
  "EXPERIMENT_NOT_RUNNABLE",
  // task
  "TASK_NOT_ASSIGNED",
  "STALE_ATTEMPT",
  "LEASE_LOST",
  "TASK_RETRY_EXHAUSTED",
  "TASK_TIMEOUT",
  "TASK_DEPENDENCY_FAILED",
  // worker
  "WORKER_UNAVAILABLE",
  "WORKER_UNAUTHENTICATED",
  "WORKER_REGISTRATION_MISMATCH",
  "WORKER_ALREADY_CONNECTED",
  // scheduling
  "NO_AVAILABLE_WORKERS",
  "NO_ELIGIBLE_RESOURCE",
  "COST_LIMIT_EXCEEDED",
  "DEADLINE_UNREACHABLE",
  // data
  "DATA_INTEGRITY_FAILED",
  "DATA_NOT_FOUND",
  "DATA_TRANSFER_FAILED",
  // auth
  "UNAUTHENTICATED",
  "TOKEN_EXPIRED",
  "PERMISSION_DENIED",
  // validation
  "INVALID_INPUT",
  // system
  "CONCURRENCY_CONFLICT",
  "SERVICE_UNAVAILABLE",
])
