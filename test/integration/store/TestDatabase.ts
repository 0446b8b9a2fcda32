/**
 * The Store for the suite on either engine, beside the SqlClient it runs on (for the few tests that
 * read rows the port does not show). PostgreSQL gets a fresh database per test file on the local
 * server (127.0.0.1:5432, trust auth), created before the Store layer starts and dropped (with its
 * connections) after it stops.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { type Cause, Effect, Layer } from "effect"
import type { ChangeListener } from "../../../src/layers/store/ChangeListener.js"
import { migrate } from "../../../src/layers/store/Migrations.js"
import * as PgSqlClient from "../../../src/layers/store/pg/PgSqlClient.js"
import * as PgliteClient from "../../../src/layers/store/pglite/PgliteClient.js"
import * as SqlStore from "../../../src/layers/store/SqlStore.js"
import type { StoreStartupError } from "../../../src/layers/store/StoreLive.js"
import type { Store } from "../../../src/ports/Store.js"
import { scratchDatabase } from "../../scratchDatabase.js"

/** `airavata_test_<random>` for the scope's lifetime; yields its name and URL. */
export const freshDatabase = scratchDatabase({
  prefix: "airavata_test",
  server: process.env.AIRAVATA_TEST_PG,
})

/** What the suite runs against: the Store and its SqlClient. */
export type StoreAndSql = Store | SqlClient.SqlClient

// As StoreLive: the schema is migrated before the Store is built over the same client.
const storeOver = <E>(
  client: Layer.Layer<SqlClient.SqlClient | ChangeListener, E>,
  options: SqlStore.SqlStoreOptions,
): Layer.Layer<StoreAndSql, E | StoreStartupError> =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const context = yield* Layer.build(client)
      yield* Effect.provide(migrate, context)
      return SqlStore.layer(options).pipe(Layer.provideMerge(Layer.succeedContext(context)))
    }),
  )

/** The Store on a fresh PostgreSQL database. */
export const postgresStore = (
  options: SqlStore.SqlStoreOptions & { readonly maxConnections?: number } = {},
): Layer.Layer<StoreAndSql, StoreStartupError | Cause.UnknownException> =>
  Layer.unwrapScoped(
    Effect.map(freshDatabase, ({ url }) =>
      storeOver(PgSqlClient.layer({ url, maxConnections: options.maxConnections ?? 20 }), options),
    ),
  )

/** The Store on in-memory PGlite. */
export const pgliteStore = (
  options: SqlStore.SqlStoreOptions = {},
): Layer.Layer<StoreAndSql, StoreStartupError> => storeOver(PgliteClient.layer(), options)
