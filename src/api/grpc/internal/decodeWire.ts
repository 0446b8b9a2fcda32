/** Schema decoding of protocol messages, with failures as InvalidWireMessage. */
import { Effect, Either, ParseResult, Schema } from "effect"
import { InvalidWireMessage } from "../GrpcErrors.js"

const toInvalid = (messageType: string) => (error: ParseResult.ParseError) =>
  new InvalidWireMessage({ messageType, reason: ParseResult.TreeFormatter.formatErrorSync(error) })

/** Decodes `input` (fields gathered from a wire message of `messageType`) with `schema`. */
export const decodeWire = <A, I>(schema: Schema.Schema<A, I>, messageType: string) => {
  // Built once: a decoder made per call costs more than most decodings.
  const decode = Schema.decodeUnknown(schema, { errors: "all" })
  const invalid = toInvalid(messageType)
  return (input: unknown): Effect.Effect<A, InvalidWireMessage> => Effect.mapError(decode(input), invalid)
}

/** `decodeWire` without an Effect, for decodings on a hot path. */
export const decodeWireEither = <A, I>(schema: Schema.Schema<A, I>, messageType: string) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all" })
  const invalid = toInvalid(messageType)
  return (input: unknown): Either.Either<A, InvalidWireMessage> => Either.mapLeft(decode(input), invalid)
}

/** proto3 has no "absent" string: the empty string means unset. */
export const nonEmpty = (value: string): string | undefined => (value === "" ? undefined : value)
