/**
 * SqlClient and ChangeListener over a real PostgreSQL server, through @effect/sql-pg on a pool this
 * module owns (so its statements can be prepared, see PreparedStatements). LISTEN uses PgClient's
 * dedicated listen connection; NOTIFY is sent by the store as `select pg_notify(…)` inside its own
 * transactions (PgClient.notify in 0.53.0 sends invalid SQL).
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { Config, type ConfigError, Effect, Layer, Redacted } from "effect"
import pg from "pg"
import { ChangeListener } from "../ChangeListener.js"
import { prepareStatements } from "./PreparedStatements.js"

/** Connection settings; `url` is a postgres:// URL. */
export interface PgOptions {
  readonly url: Redacted.Redacted | string
  /** Pool size (default 10). */
  readonly maxConnections?: number | undefined
  readonly applicationName?: string | undefined
}

const listenerLayer = Layer.effect(
  ChangeListener,
  Effect.map(PgClient.PgClient, (client) => ({ listen: (channel: string) => client.listen(channel) })),
)

const pool = (options: PgOptions) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const pool = new pg.Pool({
          connectionString: Redacted.value(
            typeof options.url === "string" ? Redacted.make(options.url) : options.url,
          ),
          max: options.maxConnections ?? 10,
          application_name: options.applicationName ?? "airavata-scheduler",
        })
        // A broken idle connection is dropped by the pool; the next checkout reconnects.
        pool.on("error", () => {})
        pool.on("connect", prepareStatements)
        await pool.query("SELECT 1")
        return pool
      },
      catch: (cause) => new SqlError({ cause, message: "PgClient: Failed to connect" }),
    }),
    (pool) => Effect.promise(() => pool.end()),
  )

/** SqlClient and ChangeListener for the server at `options.url`; the pool closes with the layer. */
export const layer = (options: PgOptions): Layer.Layer<SqlClient.SqlClient | ChangeListener, SqlError> =>
  listenerLayer.pipe(
    Layer.provideMerge(
      PgClient.layerFromPool({
        acquire: pool(options),
        applicationName: options.applicationName ?? "airavata-scheduler",
      }),
    ),
  )

/** As `layer`, reading the URL from `DATABASE_URL` and the pool size from `DATABASE_POOL_SIZE`. */
export const layerFromEnv: Layer.Layer<
  SqlClient.SqlClient | ChangeListener,
  SqlError | ConfigError.ConfigError
> = Layer.unwrapEffect(
  Effect.map(
    Config.all({
      url: Config.redacted("DATABASE_URL").pipe(
        Config.withDescription("PostgreSQL URL, e.g. postgres://user@host:5432/airavata"),
      ),
      maxConnections: Config.integer("DATABASE_POOL_SIZE").pipe(
        Config.withDescription("Connections in the pool"),
        Config.withDefault(10),
      ),
    }),
    (options) => layer(options),
  ),
)
