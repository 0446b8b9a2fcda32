/** Authentication and authorization errors for users and API clients. */
import { Schema } from "effect"

/** The request carried no usable identity (missing, malformed or wrongly signed token). */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  reason: Schema.String,
}) {
  readonly code = "UNAUTHENTICATED"
  override get message() {
    return `not authenticated: ${this.reason}`
  }
}

/** A token was valid once but its lifetime is over. */
export class TokenExpired extends Schema.TaggedError<TokenExpired>()("TokenExpired", {
  /** What the token was for, e.g. "access token", "registration token". */
  token: Schema.String,
  expiredAt: Schema.DateTimeUtc,
}) {
  readonly code = "TOKEN_EXPIRED"
  override get message() {
    return `${this.token} expired at ${this.expiredAt.toString()}`
  }
}

/** The subject lacks the permission on the resource. */
export class PermissionDenied extends Schema.TaggedError<PermissionDenied>()("PermissionDenied", {
  /** Who asked, as "type:id", e.g. "user:u1". */
  subject: Schema.String,
  permission: Schema.String,
  /** What was asked about, as "type:id", e.g. "experiment:e1". */
  resource: Schema.String,
}) {
  readonly code = "PERMISSION_DENIED"
  override get message() {
    return `${this.subject} lacks permission ${this.permission} on ${this.resource}`
  }
}
