/**
 * VACUUM (with ANALYZE) of the per-task tables, for a store no autovacuum serves (PGlite). The
 * claim and the completion each leave a dead version of the task's row, and until VACUUM marks
 * that space reusable a data directory keeps about three times its live task rows (docs/storage.md:
 * 1.4 KB per task over 23 runs). On PGlite nothing else runs meanwhile (459 ms for 115,000 tasks
 * vacuumed at once; a pass after each run skips the pages an earlier one left clean), so callers
 * run it where nothing waits: `airavata run` once its experiment has ended.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { perTaskTables } from "./refreshStatistics.js"

// SKIP_LOCKED: a table another session holds is left for the next pass instead of waited for.
export const reclaimSpace = (sql: SqlClient.SqlClient) =>
  Effect.asVoid(sql.unsafe(`VACUUM (ANALYZE, SKIP_LOCKED) ${perTaskTables.join(", ")}`))
