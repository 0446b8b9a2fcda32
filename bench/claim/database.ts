/** A scratch database per benchmark run on the PostgreSQL server, dropped afterwards. */
import { randomBytes } from "node:crypto"
import { Effect } from "effect"
import pg from "pg"

export const server = process.env.BENCH_PG ?? "postgres://root@127.0.0.1:5432"

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

/** `airavata_bench_<random>` for the scope's lifetime; yields its URL. */
export const scratchDatabase = Effect.acquireRelease(
  Effect.gen(function* () {
    const name = `airavata_bench_${randomBytes(5).toString("hex")}`
    yield* admin(`CREATE DATABASE ${name}`)
    return { name, url: `${server}/${name}` }
  }),
  ({ name }) => Effect.orDie(admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
)
