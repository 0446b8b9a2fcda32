/**
 * A scratch PostgreSQL database on the local server (127.0.0.1:5432, trust auth): created empty,
 * dropped with its connections when the scope closes. Shared by the tests and the benchmarks.
 */
import { randomBytes } from "node:crypto"
import { Cause, Effect } from "effect"
import pg from "pg"

export interface ScratchDatabaseOptions {
  /** Name prefix, e.g. `airavata_test`; a random suffix follows. */
  readonly prefix: string
  /** Server URL without a database; default `postgres://root@127.0.0.1:5432`. */
  readonly server?: string | undefined
}

/** Runs one statement on the server's `root` database (CREATE/DROP DATABASE cannot run in a pool). */
export const adminStatement = (server: string, statement: string) =>
  Effect.tryPromise({
    try: async () => {
      const client = new pg.Client({ connectionString: `${server}/root` })
      await client.connect()
      try {
        await client.query(statement)
      } finally {
        await client.end()
      }
    },
    // The driver's message (not a generic one) says why, e.g. which database could not be dropped.
    catch: (cause) =>
      new Cause.UnknownException(cause, cause instanceof Error ? cause.message : String(cause)),
  })

/**
 * Creates `<prefix>_<random>` and yields its name and URL. Dropping it when the scope closes
 * dies on failure unless `onDropFailure` handles the error.
 */
export const scratchDatabase = (
  options: ScratchDatabaseOptions,
  onDropFailure: (error: Cause.UnknownException, name: string) => Effect.Effect<void> = (error) =>
    Effect.die(error),
) => {
  const server = options.server ?? "postgres://root@127.0.0.1:5432"
  return Effect.acquireRelease(
    Effect.gen(function* () {
      const name = `${options.prefix}_${randomBytes(6).toString("hex")}`
      yield* adminStatement(server, `CREATE DATABASE ${name}`)
      return { name, url: `${server}/${name}` }
    }),
    ({ name }) =>
      adminStatement(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).pipe(
        Effect.catchAll((error) => onDropFailure(error, name)),
      ),
  )
}
