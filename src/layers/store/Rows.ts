/**
 * Decoding query results. Each decoder is compiled once per schema (building it per call costs
 * more than decoding); a row that does not decode breaks an invariant the SQL and the schema
 * share, so it is a defect, not an error callers could handle.
 */
import { Effect, Schema } from "effect"

export const rowDecoder = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknown(schema)
  return (input: unknown): Effect.Effect<A> => Effect.orDie(decode(input))
}
