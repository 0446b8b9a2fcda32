/**
 * Lookup and uniqueness errors shared by every stored entity. One tag each, so a boundary maps all
 * of them at once (404, 409); the code still names the kind of entity, as the Go API's codes did.
 */
import { Schema } from "effect"

/** Every kind of stored entity an error can refer to. */
export const EntityKind = Schema.Literal(
  "user",
  "group",
  "project",
  "compute-resource",
  "storage-resource",
  "credential",
  "experiment",
  "task",
  "worker",
)
export type EntityKind = typeof EntityKind.Type

/** "compute-resource" → "compute resource", for messages. */
export const entityLabel = (entity: EntityKind): string => entity.replace("-", " ")

/** Not-found code per entity kind; compute and storage resources share RESOURCE_NOT_FOUND. */
export const notFoundCodes = {
  user: "USER_NOT_FOUND",
  group: "GROUP_NOT_FOUND",
  project: "PROJECT_NOT_FOUND",
  "compute-resource": "RESOURCE_NOT_FOUND",
  "storage-resource": "RESOURCE_NOT_FOUND",
  credential: "CREDENTIAL_NOT_FOUND",
  experiment: "EXPERIMENT_NOT_FOUND",
  task: "TASK_NOT_FOUND",
  worker: "WORKER_NOT_FOUND",
} as const satisfies Record<EntityKind, string>

/** Already-exists code per entity kind; compute and storage resources share RESOURCE_ALREADY_EXISTS. */
export const alreadyExistsCodes = {
  user: "USER_ALREADY_EXISTS",
  group: "GROUP_ALREADY_EXISTS",
  project: "PROJECT_ALREADY_EXISTS",
  "compute-resource": "RESOURCE_ALREADY_EXISTS",
  "storage-resource": "RESOURCE_ALREADY_EXISTS",
  credential: "CREDENTIAL_ALREADY_EXISTS",
  experiment: "EXPERIMENT_ALREADY_EXISTS",
  task: "TASK_ALREADY_EXISTS",
  worker: "WORKER_ALREADY_EXISTS",
} as const satisfies Record<EntityKind, string>

/** No entity of this kind has this id (or the caller may not know that it exists). */
export class EntityNotFound extends Schema.TaggedError<EntityNotFound>()("EntityNotFound", {
  entity: EntityKind,
  id: Schema.String,
}) {
  get code(): (typeof notFoundCodes)[EntityKind] {
    return notFoundCodes[this.entity]
  }
  override get message() {
    return `${entityLabel(this.entity)} ${this.id} not found`
  }
}

/** An entity with the same unique key exists, e.g. an experiment name within a project. */
export class EntityAlreadyExists extends Schema.TaggedError<EntityAlreadyExists>()("EntityAlreadyExists", {
  entity: EntityKind,
  /** The unique field, e.g. "name", "email". */
  field: Schema.String,
  value: Schema.String,
  /** Where the key is unique, e.g. "project p1"; absent when it is globally unique. */
  scope: Schema.optional(Schema.String),
}) {
  get code(): (typeof alreadyExistsCodes)[EntityKind] {
    return alreadyExistsCodes[this.entity]
  }
  override get message() {
    const where = this.scope === undefined ? "" : ` in ${this.scope}`
    return `${entityLabel(this.entity)} with ${this.field} "${this.value}" already exists${where}`
  }
}
