/**
 * Errors of the gRPC boundary: what a handler fails with to answer a status, what a client call
 * fails with when the server (or the transport) answers one, and what binding a server fails with.
 */
import { Schema } from "effect"

/** The gRPC status codes by name, as grpc-js numbers them. */
export const GrpcStatusName = Schema.Literal(
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
)
export type GrpcStatusName = typeof GrpcStatusName.Type

/** A handler's answer: the call ends with this status and message (sent to the client as details). */
export class GrpcStatusError extends Schema.TaggedError<GrpcStatusError>()("GrpcStatusError", {
  status: GrpcStatusName,
  message: Schema.String,
  /** The domain error code this status was mapped from, when there was one. */
  errorCode: Schema.optional(Schema.String),
}) {
  readonly code = "GRPC_STATUS"
}

/** A client call ended with a non-OK status: from the server, or UNAVAILABLE / DEADLINE_EXCEEDED / CANCELLED from the transport. */
export class GrpcCallError extends Schema.TaggedError<GrpcCallError>()("GrpcCallError", {
  /** The RPC, e.g. "PollForTask". */
  method: Schema.String,
  status: GrpcStatusName,
  /** The status details the server (or grpc-js) sent. */
  details: Schema.String,
}) {
  readonly code = "GRPC_CALL_FAILED"
  override get message() {
    return `${this.method} failed with ${this.status}: ${this.details}`
  }
}

/** The server could not bind its address. */
export class GrpcServerError extends Schema.TaggedError<GrpcServerError>()("GrpcServerError", {
  address: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "GRPC_BIND_FAILED"
  override get message() {
    return `cannot serve gRPC on ${this.address}: ${this.reason}`
  }
}

/** A protocol message is well-formed protobuf but not a valid message of this protocol. */
export class InvalidWireMessage extends Schema.TaggedError<InvalidWireMessage>()("InvalidWireMessage", {
  /** The protobuf message type, e.g. "TaskAssignment". */
  messageType: Schema.String,
  reason: Schema.String,
}) {
  readonly code = "INVALID_WIRE_MESSAGE"
  override get message() {
    return `invalid ${this.messageType}: ${this.reason}`
  }
}
