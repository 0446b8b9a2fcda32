/** Schema decoding of protocol messages, with failures as InvalidWireMessage. */
import { Either, ParseResult, Schema } from "effect"
import { InvalidWireMessage } from "../GrpcErrors.js"

/**
 * Decodes `input` (fields gathered from a wire message of `messageType`) with `schema`, the decoder
 * built once; without an Effect, since messages are decoded by the thousand per second.
 */
export const decodeWireEither = <A, I>(schema: Schema.Schema<A, I>, messageType: string) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all" })
  const invalid = (error: ParseResult.ParseError) =>
    new InvalidWireMessage({ messageType, reason: ParseResult.TreeFormatter.formatErrorSync(error) })
  return (input: unknown): Either.Either<A, InvalidWireMessage> => Either.mapLeft(decode(input), invalid)
}

/** proto3 has no "absent" string: the empty string means unset. */
export const nonEmpty = (value: string): string | undefined => (value === "" ? undefined : value)
