/** Errors of data staging and storage. */
import { Schema } from "effect"
import { Sha256 } from "../Data.js"

/** The bytes at `path` do not hash to the checksum they were declared with. */
export class DataIntegrityFailed extends Schema.TaggedError<DataIntegrityFailed>()("DataIntegrityFailed", {
  path: Schema.String,
  expected: Sha256,
  actual: Sha256,
}) {
  readonly code = "DATA_INTEGRITY_FAILED"
  override get message() {
    return `checksum mismatch for ${this.path}: expected sha256 ${this.expected}, got ${this.actual}`
  }
}

/** No file at `path` in the named storage location. */
export class DataNotFound extends Schema.TaggedError<DataNotFound>()("DataNotFound", {
  /** Storage resource id, or a label such as "worker w1". */
  location: Schema.String,
  path: Schema.String,
}) {
  readonly code = "DATA_NOT_FOUND"
  override get message() {
    return `no file ${this.path} in ${this.location}`
  }
}

/** Moving a file failed for a reason other than integrity (connection, permission, space). */
export class DataTransferFailed extends Schema.TaggedError<DataTransferFailed>()("DataTransferFailed", {
  source: Schema.String,
  destination: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "DATA_TRANSFER_FAILED"
  override get message() {
    return `transfer ${this.source} → ${this.destination} failed: ${this.reason}`
  }
}
