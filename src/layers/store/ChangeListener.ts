/**
 * LISTEN on one PostgreSQL channel as a Stream. The generic SqlClient has no LISTEN, so each
 * engine's client layer (PostgreSQL, PGlite) provides this next to its SqlClient.
 */
import type { SqlError } from "@effect/sql/SqlError"
import { Context, type Stream } from "effect"

/** Subscribes to NOTIFY payloads on a channel for as long as the stream runs. */
export class ChangeListener extends Context.Tag("airavata/store/ChangeListener")<
  ChangeListener,
  { readonly listen: (channel: string) => Stream.Stream<string, SqlError> }
>() {}
