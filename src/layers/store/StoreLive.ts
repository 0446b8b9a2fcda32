/**
 * Ready-to-use Store layers: the schema is migrated when the layer starts, then the Store is
 * built over the chosen engine. Pick one at the composition root:
 *
 * - `StoreLive.postgres({ url })` — a PostgreSQL server (production, several replicas).
 * - `StoreLive.postgresFromEnv` — the same, configured by `DATABASE_URL`.
 * - `StoreLive.pglite({ dataDir })` — embedded PGlite in this process (the default for the CLI);
 *   in memory when no `dataDir` is given.
 */
import type { MigrationError } from "@effect/sql/Migrator"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { type ConfigError, Effect, Layer } from "effect"
import type { Store } from "../../ports/Store.js"
import type { ChangeListener } from "./ChangeListener.js"
import { migrate } from "./Migrations.js"
import * as PgSqlClient from "./pg/PgSqlClient.js"
import * as PgliteClient from "./pglite/PgliteClient.js"
import * as SqlStore from "./SqlStore.js"

/** Why a Store layer failed to start: the database is unreachable or a migration failed. */
export type StoreStartupError = SqlError | MigrationError

// Migrations must finish before the Store is used: provide them as a dependency of the Store layer
// built over the same client.
const migrated = <E>(
  client: Layer.Layer<SqlClient.SqlClient | ChangeListener, E>,
  options: SqlStore.SqlStoreOptions,
) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const context = yield* Layer.build(client)
      yield* Effect.provide(migrate, context)
      return SqlStore.layer(options).pipe(Layer.provide(Layer.succeedContext(context)))
    }),
  )

export const StoreLive = {
  /** The Store on a PostgreSQL server. */
  postgres: (
    options: PgSqlClient.PgOptions & SqlStore.SqlStoreOptions,
  ): Layer.Layer<Store, StoreStartupError> => migrated(PgSqlClient.layer(options), options),
  /** The Store on the PostgreSQL server named by `DATABASE_URL` (pool size `DATABASE_POOL_SIZE`). */
  postgresFromEnv: (
    options: SqlStore.SqlStoreOptions = {},
  ): Layer.Layer<Store, StoreStartupError | ConfigError.ConfigError> =>
    migrated(PgSqlClient.layerFromEnv, options),
  /** The Store on embedded PGlite; the database closes when the layer's scope ends. */
  pglite: (
    options: PgliteClient.PgliteOptions & SqlStore.SqlStoreOptions = {},
  ): Layer.Layer<Store, StoreStartupError> => migrated(PgliteClient.layer(options), options),
} as const
