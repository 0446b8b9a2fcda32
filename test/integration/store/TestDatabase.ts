/**
 * A fresh PostgreSQL database per test file on the local server (127.0.0.1:5432, trust auth),
 * created before the Store layer starts and dropped (with its connections) after it stops.
 */
import { type Cause, Effect, Layer } from "effect"
import type { SqlStoreOptions } from "../../../src/layers/store/SqlStore.js"
import { StoreLive, type StoreStartupError } from "../../../src/layers/store/StoreLive.js"
import type { Store } from "../../../src/ports/Store.js"
import { scratchDatabase } from "../../scratchDatabase.js"

/** `airavata_test_<random>` for the scope's lifetime; yields its name and URL. */
export const freshDatabase = scratchDatabase({
  prefix: "airavata_test",
  server: process.env.AIRAVATA_TEST_PG,
})

/** The Store on a fresh PostgreSQL database. */
export const postgresStore = (
  options: SqlStoreOptions & { readonly maxConnections?: number } = {},
): Layer.Layer<Store, StoreStartupError | Cause.UnknownException> =>
  Layer.unwrapScoped(
    Effect.map(freshDatabase, ({ url }) =>
      StoreLive.postgres({ url, maxConnections: options.maxConnections ?? 20, ...options }),
    ),
  )
