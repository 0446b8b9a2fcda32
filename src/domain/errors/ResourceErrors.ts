/** Errors about compute and storage resources. */
import { Schema } from "effect"
import { ResourceStatus } from "../Status.js"

/** Which of the two resource kinds an error is about. */
export const ResourceKind = Schema.Literal("compute", "storage")
export type ResourceKind = typeof ResourceKind.Type

/** The resource exists but is not ACTIVE, so it takes no new work. */
export class ResourceUnavailable extends Schema.TaggedError<ResourceUnavailable>()("ResourceUnavailable", {
  kind: ResourceKind,
  id: Schema.String,
  status: ResourceStatus,
}) {
  readonly code = "RESOURCE_UNAVAILABLE"
  override get message() {
    return `${this.kind} resource ${this.id} is ${this.status}, not ACTIVE`
  }
}

/** The resource cannot be deleted or changed while something depends on it. */
export class ResourceInUse extends Schema.TaggedError<ResourceInUse>()("ResourceInUse", {
  kind: ResourceKind,
  id: Schema.String,
  /** What still uses it, e.g. "3 live workers". */
  usedBy: Schema.String,
}) {
  readonly code = "RESOURCE_IN_USE"
  override get message() {
    return `${this.kind} resource ${this.id} is in use by ${this.usedBy}`
  }
}

/** Provisioning another pilot would exceed the resource's `maxWorkers`. */
export class ResourceCapacityExceeded extends Schema.TaggedError<ResourceCapacityExceeded>()(
  "ResourceCapacityExceeded",
  {
    id: Schema.String,
    maxWorkers: Schema.Int,
    requested: Schema.Int,
  },
) {
  readonly code = "RESOURCE_CAPACITY_EXCEEDED"
  override get message() {
    return `compute resource ${this.id} allows ${this.maxWorkers} workers, ${this.requested} requested`
  }
}
