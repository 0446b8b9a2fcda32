/**
 * Credential metadata. The secret itself lives only in the Vault port and is fetched at the moment
 * of use; this class has no field that could hold it, so it can be listed, logged and returned.
 */
import { Schema } from "effect"
import { boundedString, metadataField, Timestamp } from "./Fields.js"
import { CredentialId, UserId } from "./Ids.js"

/** What kind of secret the vault holds, which decides how it is used. */
export const CredentialType = Schema.Literal("SSH_KEY", "PASSWORD", "API_KEY", "TOKEN", "CERTIFICATE")
export type CredentialType = typeof CredentialType.Type

/** A named secret owned by a user and shared through SpiceDB relationships. */
export class Credential extends Schema.Class<Credential>("Credential")({
  id: CredentialId,
  name: boundedString(1, 255),
  type: CredentialType,
  ownerId: UserId,
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  /** Non-secret details, e.g. the SSH username or the key fingerprint. */
  metadata: metadataField,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}) {}
