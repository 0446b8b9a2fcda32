/**
 * The database a runtime test file runs on: a fresh PostgreSQL database (dropped after the file),
 * the Store over it, and its URL for the few checks that read tables directly.
 */
import { type Cause, Context, type Duration, Effect, Layer, Schema } from "effect"
import pg from "pg"
import { StoreLive, type StoreStartupError } from "../../../src/layers/store/StoreLive.js"
import type { Store } from "../../../src/ports/Store.js"
import { freshDatabase } from "../store/TestDatabase.js"

/** The postgres:// URL of the file's database. */
export class DatabaseUrl extends Context.Tag("test/runtime/DatabaseUrl")<DatabaseUrl, string>() {}

export interface RuntimeDatabaseOptions {
  /** How long a claim or heartbeat keeps a lease (the Store's default is 30 s). */
  readonly leaseDuration?: Duration.DurationInput
  readonly maxConnections?: number
}

/** The Store on a fresh database, and the database's URL. */
export const runtimeDatabase = (
  options: RuntimeDatabaseOptions = {},
): Layer.Layer<Store | DatabaseUrl, StoreStartupError | Cause.UnknownException> =>
  Layer.unwrapScoped(
    Effect.map(freshDatabase, ({ url }) =>
      Layer.merge(
        StoreLive.postgres({
          url,
          maxConnections: options.maxConnections ?? 10,
          ...(options.leaseDuration === undefined ? {} : { leaseDuration: options.leaseDuration }),
        }),
        Layer.succeed(DatabaseUrl, url),
      ),
    ),
  )

/** Runs one query on the file's database, on its own connection, and decodes its rows. */
export const query = <A, I>(row: Schema.Schema<A, I>, text: string, values: ReadonlyArray<unknown> = []) =>
  Effect.flatMap(DatabaseUrl, (url) =>
    Effect.acquireUseRelease(
      Effect.promise(async () => {
        const client = new pg.Client({ connectionString: url })
        await client.connect()
        return client
      }),
      (client) =>
        Effect.promise(() => client.query(text, [...values])).pipe(
          Effect.flatMap((result) => Schema.decodeUnknown(Schema.Array(row))(result.rows)),
          Effect.orDie,
        ),
      (client) => Effect.promise(() => client.end()),
    ),
  )
