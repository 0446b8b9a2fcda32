/** Schema decoding of protocol messages, with failures as InvalidWireMessage. */
import { Effect, ParseResult, Schema } from "effect"
import { InvalidWireMessage } from "../GrpcErrors.js"

/** Decodes `input` (fields gathered from a wire message of `messageType`) with `schema`. */
export const decodeWire =
  <A, I>(schema: Schema.Schema<A, I>, messageType: string) =>
  (input: unknown): Effect.Effect<A, InvalidWireMessage> =>
    Schema.decodeUnknown(schema, { errors: "all" })(input).pipe(
      Effect.mapError(
        (error) =>
          new InvalidWireMessage({ messageType, reason: ParseResult.TreeFormatter.formatErrorSync(error) }),
      ),
    )

/** proto3 has no "absent" string: the empty string means unset. */
export const nonEmpty = (value: string): string | undefined => (value === "" ? undefined : value)
