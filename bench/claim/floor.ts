/**
 * The raw SKIP LOCKED floor (BENCHMARKS.md "Floor"): `connections` plain pg clients looping
 * `UPDATE jobs … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT k) RETURNING id`, optionally
 * marking each batch done, until the table is drained. Returns jobs per second.
 */
import { Effect } from "effect"
import pg from "pg"

const claimSql = (k: number) =>
  `UPDATE jobs SET state = 'running' WHERE id IN (
     SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT ${k} FOR UPDATE SKIP LOCKED) RETURNING id`

export interface FloorRun {
  readonly url: string
  readonly jobs: number
  readonly batch: number
  readonly connections: number
  readonly markDone: boolean
}

export const floor = (run: FloorRun) =>
  Effect.promise(async () => {
    const setup = new pg.Client({ connectionString: run.url })
    await setup.connect()
    await setup.query("DROP TABLE IF EXISTS jobs")
    await setup.query(
      "CREATE TABLE jobs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, state text NOT NULL DEFAULT 'queued', payload jsonb NOT NULL)",
    )
    await setup.query("CREATE INDEX jobs_queued ON jobs (id) WHERE state = 'queued'")
    await setup.query(
      "INSERT INTO jobs (payload) SELECT jsonb_build_object('n', g) FROM generate_series(1, $1) g",
      [run.jobs],
    )
    await setup.query("VACUUM ANALYZE jobs")
    await setup.end()

    const clients = await Promise.all(
      Array.from({ length: run.connections }, async () => {
        const client = new pg.Client({ connectionString: run.url })
        await client.connect()
        return client
      }),
    )
    const started = performance.now()
    let claimed = 0
    await Promise.all(
      clients.map(async (client) => {
        for (;;) {
          const result = await client.query({ name: "claim", text: claimSql(run.batch) })
          if (result.rows.length === 0) return
          claimed += result.rows.length
          if (run.markDone) {
            await client.query({
              name: "done",
              text: "UPDATE jobs SET state = 'done' WHERE id = ANY($1::bigint[])",
              values: [result.rows.map((row: { id: string }) => row.id)],
            })
          }
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    await Promise.all(clients.map((client) => client.end()))
    return { claimed, perSecond: claimed / seconds }
  })
