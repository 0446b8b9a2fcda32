/**
 * An empty PostgreSQL database for one benchmark run (`bench_<random>` on the local server), dropped
 * with its connections when the scope closes, so every run starts from a wiped store.
 */
import { randomBytes } from "node:crypto"
import { Console, Effect } from "effect"
import pg from "pg"
import { reasonOf, SystemFailed } from "./BenchErrors.js"

const server = process.env.BENCH_PG ?? "postgres://root@127.0.0.1:5432"

const admin = (statement: string) =>
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
    catch: (cause) => new SystemFailed({ system: "postgres", operation: statement, reason: reasonOf(cause) }),
  })

/** Creates `bench_<random>` and yields its URL; drops it when the scope closes. */
export const freshDatabase = Effect.acquireRelease(
  Effect.gen(function* () {
    const name = `bench_${randomBytes(6).toString("hex")}`
    yield* admin(`CREATE DATABASE ${name}`)
    return { name, url: `${server}/${name}` }
  }),
  // A failed drop must not discard the figures already measured: say so and go on.
  ({ name }) =>
    admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).pipe(
      Effect.catchAll((e) => Console.error(`could not drop ${name}: ${e.message}`)),
    ),
).pipe(Effect.map(({ url }) => url))
