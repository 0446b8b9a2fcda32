/** Errors about credentials. None of them carries secret material. */
import { Schema } from "effect"
import { CredentialType } from "../Credential.js"
import { CredentialId, UserId } from "../Ids.js"
import { ResourceKind } from "./ResourceErrors.js"

/** The SpiceDB permissions on a credential. */
export const CredentialPermission = Schema.Literal("read", "write", "delete")
export type CredentialPermission = typeof CredentialPermission.Type

/** The user lacks the permission on the credential. */
export class CredentialAccessDenied extends Schema.TaggedError<CredentialAccessDenied>()(
  "CredentialAccessDenied",
  {
    credentialId: CredentialId,
    userId: UserId,
    permission: CredentialPermission,
  },
) {
  readonly code = "CREDENTIAL_ACCESS_DENIED"
  override get message() {
    return `user ${this.userId} may not ${this.permission} credential ${this.credentialId}`
  }
}

/** The stored secret does not have the shape its type requires (e.g. an API_KEY that is not JSON). */
export class CredentialInvalid extends Schema.TaggedError<CredentialInvalid>()("CredentialInvalid", {
  credentialId: Schema.optional(CredentialId),
  type: CredentialType,
  /** What is wrong, described without quoting the secret. */
  reason: Schema.String,
}) {
  readonly code = "CREDENTIAL_INVALID"
  override get message() {
    const which = this.credentialId === undefined ? "" : ` ${this.credentialId}`
    return `${this.type} credential${which} is invalid: ${this.reason}`
  }
}

/** No credential bound to the resource is readable by the user on whose behalf it is needed. */
export class NoUsableCredential extends Schema.TaggedError<NoUsableCredential>()("NoUsableCredential", {
  kind: ResourceKind,
  resourceId: Schema.String,
  userId: UserId,
}) {
  readonly code = "NO_USABLE_CREDENTIAL"
  override get message() {
    return `no credential bound to ${this.kind} resource ${this.resourceId} is readable by user ${this.userId}`
  }
}
