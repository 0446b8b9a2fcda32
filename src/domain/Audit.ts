/** The audit log: who did what to which entity, and whether it was allowed. */
import { Schema } from "effect"
import { JsonObject, Timestamp } from "./Fields.js"
import { AuditEntryId, UserId, WorkerId } from "./Ids.js"

/** The kinds of entity an audited action touches. */
export const AuditResourceType = Schema.Literal(
  "EXPERIMENT",
  "TASK",
  "WORKER",
  "COMPUTE_RESOURCE",
  "STORAGE_RESOURCE",
  "CREDENTIAL",
  "PROJECT",
  "USER",
  "GROUP",
)
export type AuditResourceType = typeof AuditResourceType.Type

/** Who acted: a user, a worker (e.g. resolving a credential for staging), or the scheduler itself. */
export const AuditActor = Schema.Union(
  Schema.Struct({ type: Schema.Literal("USER"), id: UserId }),
  Schema.Struct({ type: Schema.Literal("WORKER"), id: WorkerId }),
  Schema.Struct({ type: Schema.Literal("SYSTEM") }),
)
export type AuditActor = typeof AuditActor.Type

/** SUCCESS: done; DENIED: refused by authorization; FAILURE: allowed but failed. */
export const AuditOutcome = Schema.Literal("SUCCESS", "DENIED", "FAILURE")
export type AuditOutcome = typeof AuditOutcome.Type

/** One audited action. `details` must never contain a secret. */
export class AuditEntry extends Schema.Class<AuditEntry>("AuditEntry")({
  id: AuditEntryId,
  timestamp: Timestamp,
  actor: AuditActor,
  /** Dotted verb, e.g. "credential.resolve", "experiment.submit". */
  action: Schema.NonEmptyTrimmedString,
  resourceType: AuditResourceType,
  resourceId: Schema.NonEmptyString,
  outcome: Schema.optionalWith(AuditOutcome, { default: () => "SUCCESS" }),
  details: Schema.optionalWith(JsonObject, { default: () => ({}) }),
  ipAddress: Schema.optional(Schema.String),
  userAgent: Schema.optional(Schema.String),
}) {}
