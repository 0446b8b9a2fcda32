/** Where work runs (compute resources) and where data lives (storage resources). */
import { Schema } from "effect"
import { boundedString, metadataField, NonNegativeInt, NonNegativeNumber, Timestamp } from "./Fields.js"
import { ComputeResourceId, StorageResourceId, UserId } from "./Ids.js"
import { ResourceStatus } from "./Status.js"

/** How pilots reach the machines: a SLURM cluster, a Kubernetes cluster, SSH hosts, or this machine. */
export const ComputeResourceType = Schema.Literal("SLURM", "KUBERNETES", "BARE_METAL", "LOCAL")
export type ComputeResourceType = typeof ComputeResourceType.Type

/** The storage protocol. */
export const StorageResourceType = Schema.Literal("S3", "SFTP", "NFS", "LOCAL")
export type StorageResourceType = typeof StorageResourceType.Type

const Port = Schema.Int.pipe(Schema.between(1, 65_535))

/** A place pilots are submitted to. Its credential binding lives in SpiceDB, not here. */
export class ComputeResource extends Schema.Class<ComputeResource>("ComputeResource")({
  id: ComputeResourceId,
  name: boundedString(1, 255),
  type: ComputeResourceType,
  /** Host name, API URL or empty for LOCAL. */
  endpoint: Schema.optionalWith(Schema.String, { default: () => "" }),
  port: Schema.optional(Port),
  ownerId: UserId,
  status: Schema.optionalWith(ResourceStatus, { default: () => "ACTIVE" }),
  /** Price of one worker for one hour, in the operator's currency; placement minimises it. */
  costPerHour: Schema.optionalWith(NonNegativeNumber, { default: () => 0 }),
  /** Upper bound on concurrently provisioned pilots. */
  maxWorkers: Schema.optionalWith(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)), { default: () => 1 }),
  currentWorkers: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  /** Observed fraction of time the resource accepted work (0–1); a placement input. */
  availability: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 1 }),
  /** Provider-specific settings (SLURM partition/account/qos, K8s namespace/image, SSH username…). */
  capabilities: metadataField,
  metadata: metadataField,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}) {}

/** A place input and output files are kept. Capacities are bytes and absent when unknown. */
export class StorageResource extends Schema.Class<StorageResource>("StorageResource")({
  id: StorageResourceId,
  name: boundedString(1, 255),
  type: StorageResourceType,
  /** Bucket endpoint, SFTP host or mount point. */
  endpoint: Schema.optionalWith(Schema.String, { default: () => "" }),
  ownerId: UserId,
  status: Schema.optionalWith(ResourceStatus, { default: () => "ACTIVE" }),
  totalCapacity: Schema.optional(NonNegativeInt),
  usedCapacity: Schema.optional(NonNegativeInt),
  availableCapacity: Schema.optional(NonNegativeInt),
  region: Schema.optional(Schema.String),
  zone: Schema.optional(Schema.String),
  /** Protocol settings (S3 bucket/region/endpoint_url, SFTP port/username, NFS base_path…). */
  metadata: metadataField,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}) {}
