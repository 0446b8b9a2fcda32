/**
 * Files and their movement: file metadata, the SHA-256 checksums that identify content, the
 * per-resource cache (a file crosses the network once per resource) and the lineage of transfers.
 */
import { Schema } from "effect"
import { metadataField, NonNegativeInt, Timestamp } from "./Fields.js"
import { ComputeResourceId, LineageRecordId, StorageResourceId, TaskId, WorkerId } from "./Ids.js"

/** A SHA-256 digest as 64 lowercase hex digits, the form `sha256sum` prints (no "sha256:" prefix). */
export const Sha256 = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "expected a SHA-256 checksum: 64 lowercase hex digits" }),
  Schema.brand("Sha256"),
)
export type Sha256 = typeof Sha256.Type

/** Role of a file in a task. */
export const FileType = Schema.Literal("input", "output", "intermediate")
export type FileType = typeof FileType.Type

/** A file a task reads or writes. */
export class FileMetadata extends Schema.Class<FileMetadata>("FileMetadata")({
  /** Location within its storage (or relative to the task's working directory for outputs). */
  path: Schema.NonEmptyString,
  /** Size in bytes. */
  size: NonNegativeInt,
  checksum: Sha256,
  type: FileType,
}) {}

/** Where a cached copy sits: central storage, the compute resource's shared cache, or a worker. */
export const CacheLocationType = Schema.Literal("CENTRAL", "COMPUTE_STORAGE", "WORKER")
export type CacheLocationType = typeof CacheLocationType.Type

/**
 * A verified copy of some content on a compute resource. Lookups are by checksum, not by the
 * original path, so the same bytes staged under two names are transferred once.
 */
export class CacheEntry extends Schema.Class<CacheEntry>("CacheEntry")({
  checksum: Sha256,
  /** Path of the cached copy on the resource. */
  path: Schema.NonEmptyString,
  computeResourceId: ComputeResourceId,
  /** Storage the content originally came from, when known. */
  storageResourceId: Schema.optional(StorageResourceId),
  locationType: Schema.optionalWith(CacheLocationType, { default: () => "COMPUTE_STORAGE" }),
  sizeBytes: NonNegativeInt,
  cachedAt: Timestamp,
  lastAccessedAt: Timestamp,
}) {}

/** Why bytes moved (or, for CACHE_HIT, why they did not need to). */
export const TransferType = Schema.Literal("STAGE_IN", "STAGE_OUT", "CACHE_HIT", "CACHE_MISS")
export type TransferType = typeof TransferType.Type

/** One transfer of one file, successful or not; the audit trail of where every byte came from. */
export class DataLineageRecord extends Schema.Class<DataLineageRecord>("DataLineageRecord")(
  Schema.Struct({
    id: LineageRecordId,
    transferType: TransferType,
    sourcePath: Schema.NonEmptyString,
    destinationPath: Schema.NonEmptyString,
    /** Checksum expected at the source. */
    sourceChecksum: Schema.optional(Sha256),
    /** Checksum measured at the destination; differs from the source's only on a failed transfer. */
    destinationChecksum: Schema.optional(Sha256),
    sizeBytes: NonNegativeInt,
    durationMs: NonNegativeInt,
    taskId: Schema.optional(TaskId),
    workerId: Schema.optional(WorkerId),
    computeResourceId: Schema.optional(ComputeResourceId),
    storageResourceId: Schema.optional(StorageResourceId),
    success: Schema.optionalWith(Schema.Boolean, { default: () => true }),
    error: Schema.optional(Schema.String),
    transferredAt: Timestamp,
    metadata: metadataField,
  }).pipe(
    Schema.filter(
      (r) =>
        r.success ||
        r.error !== undefined || { path: ["error"], message: "a failed transfer needs an error" },
    ),
  ),
) {}
