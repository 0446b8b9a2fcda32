/** Branded identifiers: a TaskId can never be passed where an ExperimentId is expected. */
import { Schema } from "effect"

const id = <B extends string>(brand: B) =>
  Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(255), Schema.brand(brand))

/**
 * The rule of every id schema here (non-empty, trimmed, at most 255 characters), checked by hand
 * for hot paths that check ids by the thousand and leave only the rejects to the schema.
 */
export const isIdText = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= 255 && value.trim() === value

export const UserId = id("UserId")
export type UserId = typeof UserId.Type
export const GroupId = id("GroupId")
export type GroupId = typeof GroupId.Type
export const ProjectId = id("ProjectId")
export type ProjectId = typeof ProjectId.Type
export const ComputeResourceId = id("ComputeResourceId")
export type ComputeResourceId = typeof ComputeResourceId.Type
export const StorageResourceId = id("StorageResourceId")
export type StorageResourceId = typeof StorageResourceId.Type
export const CredentialId = id("CredentialId")
export type CredentialId = typeof CredentialId.Type
export const ExperimentId = id("ExperimentId")
export type ExperimentId = typeof ExperimentId.Type
export const TaskId = id("TaskId")
export type TaskId = typeof TaskId.Type
export const WorkerId = id("WorkerId")
export type WorkerId = typeof WorkerId.Type
export const LineageRecordId = id("LineageRecordId")
export type LineageRecordId = typeof LineageRecordId.Type
export const AuditEntryId = id("AuditEntryId")
export type AuditEntryId = typeof AuditEntryId.Type

/** Attempt numbers fence reports: each claim of a task increments it, starting at 1. */
export const Attempt = Schema.Int.pipe(Schema.nonNegative(), Schema.brand("Attempt"))
export type Attempt = typeof Attempt.Type
