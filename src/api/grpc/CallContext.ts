/** What a server handler knows about the call besides its request: headers and peer. */
import type { Metadata } from "@grpc/grpc-js"
import { Option } from "effect"

/** Per-call information handed to every WorkerService handler. */
export interface CallContext {
  /** The RPC, e.g. "PollForTask". */
  readonly method: string
  /** Text request headers (lower-case keys; binary "-bin" headers are left out). */
  readonly metadata: Readonly<Record<string, string>>
  /** The token of an "authorization: Bearer <token>" header, if any. */
  readonly bearerToken: Option.Option<string>
  /** The client's address, e.g. "ipv4:127.0.0.1:53422". */
  readonly peer: string
}

/** Reads the call's headers into a CallContext. */
export const makeCallContext = (method: string, metadata: Metadata, peer: string): CallContext => {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === "string") headers[key] = value
  }
  const authorization = headers.authorization
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1]
  return { method, metadata: headers, bearerToken: Option.fromNullable(bearer), peer }
}
