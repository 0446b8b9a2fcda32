/**
 * Planner statistics for the tables the hot statements read, refreshed where nothing else does.
 * PGlite never runs autovacuum, and a PostgreSQL server may have it off. Without ANALYZE, a
 * prepared statement keeps the generic plan it was given while its tables were small: a
 * sequential scan of `tasks`, say, run by every report batch however large the table grows
 * (auto_explain showed the completion statement doing that in latency runs). ANALYZE updates the
 * statistics and invalidates those plans, so the next execution plans for the table as it is.
 *
 * A table is analyzed when it has more than doubled (plus 16 pages) since its statistics were
 * taken, so where autovacuum keeps up (it analyzes after a tenth of a table changes), this finds
 * nothing to do; and a table growing steadily is analyzed a logarithmic number of times.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/** The tables the per-task path reads and writes, in the current schema. */
export const perTaskTables: ReadonlyArray<string> = [
  "tasks",
  "task_attempts",
  "experiments",
  "experiment_load",
  "task_groups",
  "task_dependencies",
  "task_barriers",
  "workers",
]

/** Analyzes those of `perTaskTables` that grew as above; returns their names. */
export const refreshStatistics = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    // MATERIALIZED keeps the size check off the scan of pg_class: pushed down there (as the
    // planner did), it sized every relation of the database, 23–28 ms a pass on a fresh one.
    const grown = yield* sql<{ readonly name: string }>`WITH listed AS MATERIALIZED (
        SELECT c.oid, c.relname, c.relpages FROM pg_class c
        WHERE c.oid IN (SELECT to_regclass(t) FROM unnest(${perTaskTables}::text[]) AS t)
      )
      SELECT relname AS name FROM listed
      WHERE pg_relation_size(oid) / current_setting('block_size')::int > 2 * greatest(relpages, 0) + 16
      ORDER BY relname`
    const names = grown.map((row) => row.name).filter((name) => perTaskTables.includes(name))
    // SKIP_LOCKED: another replica analyzing the same table already does the work.
    for (const name of names) yield* sql.unsafe(`ANALYZE (SKIP_LOCKED) ${name}`)
    return names
  })
