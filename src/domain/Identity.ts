/**
 * Who uses the system: users, groups (which nest), memberships and projects. Authorization itself
 * lives in SpiceDB; these rows are the directory it refers to.
 */
import { Schema } from "effect"
import { boundedString, Email, metadataField, NonNegativeInt, Timestamp } from "./Fields.js"
import { GroupId, ProjectId, UserId } from "./Ids.js"

/**
 * A user account. The password hash is deliberately not a field: it never leaves the store, so
 * no entity that reaches an API response or a log can carry it.
 */
export class User extends Schema.Class<User>("User")({
  id: UserId,
  /** Unique login name. */
  username: boundedString(3, 50),
  /** Unique contact address. */
  email: Email,
  fullName: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(255)), { default: () => "" }),
  isActive: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** POSIX uid/gid used when a task runs as this user on a shared host. */
  uid: Schema.optional(NonNegativeInt),
  gid: Schema.optional(NonNegativeInt),
  metadata: metadataField,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}) {}

/** A named set of users and groups; credentials are shared with groups. */
export class Group extends Schema.Class<Group>("Group")({
  id: GroupId,
  /** Unique group name. */
  name: boundedString(1, 100),
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  ownerId: UserId,
  isActive: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  metadata: metadataField,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}) {}

/** What a member may do in a group. */
export const GroupRole = Schema.Literal("OWNER", "ADMIN", "MEMBER", "VIEWER")
export type GroupRole = typeof GroupRole.Type

/** A group member is a user or, for nesting, another group; the id is branded to match. */
export const GroupMember = Schema.Union(
  Schema.Struct({ memberType: Schema.Literal("USER"), memberId: UserId }),
  Schema.Struct({ memberType: Schema.Literal("GROUP"), memberId: GroupId }),
)
export type GroupMember = typeof GroupMember.Type

/** One member of one group; (member, group) is unique. */
export class GroupMembership extends Schema.Class<GroupMembership>("GroupMembership")({
  groupId: GroupId,
  member: GroupMember,
  role: Schema.optionalWith(GroupRole, { default: () => "MEMBER" }),
  isActive: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  joinedAt: Timestamp,
}) {}

/** A project groups a user's experiments; experiment names are unique within it. */
export class Project extends Schema.Class<Project>("Project")({
  id: ProjectId,
  /** Unique per owner. */
  name: boundedString(1, 255),
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  ownerId: UserId,
  isActive: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  metadata: metadataField,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}) {}
