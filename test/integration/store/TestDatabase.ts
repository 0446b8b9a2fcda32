/**
 * A fresh PostgreSQL database per test file on the local server (127.0.0.1:5432, trust auth),
 * created before the Store layer starts and dropped (with its connections) after it stops.
 */
import { randomBytes } from "node:crypto"
import { type Cause, Effect, Layer } from "effect"
import pg from "pg"
import type { SqlStoreOptions } from "../../../src/layers/store/SqlStore.js"
import { StoreLive, type StoreStartupError } from "../../../src/layers/store/StoreLive.js"
import type { Store } from "../../../src/ports/Store.js"

const server = process.env.AIRAVATA_TEST_PG ?? "postgres://root@127.0.0.1:5432"

const admin = (statement: string) =>
  Effect.tryPromise(async () => {
    const client = new pg.Client({ connectionString: `${server}/root` })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  })

/** Creates `airavata_test_<random>`, yields its URL, drops it when the scope closes. */
export const freshDatabase = Effect.acquireRelease(
  Effect.gen(function* () {
    const name = `airavata_test_${randomBytes(6).toString("hex")}`
    yield* admin(`CREATE DATABASE ${name}`)
    return { name, url: `${server}/${name}` }
  }),
  ({ name }) => Effect.orDie(admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
)

/** The Store on a fresh PostgreSQL database. */
export const postgresStore = (
  options: SqlStoreOptions & { readonly maxConnections?: number } = {},
): Layer.Layer<Store, StoreStartupError | Cause.UnknownException> =>
  Layer.unwrapScoped(
    Effect.map(freshDatabase, ({ url }) =>
      StoreLive.postgres({ url, maxConnections: options.maxConnections ?? 20, ...options }),
    ),
  )
