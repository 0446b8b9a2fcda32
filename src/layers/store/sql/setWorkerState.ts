/** Writes a worker status (already checked against WorkerMachine) and its session, compare-and-set on status. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { WorkerId } from "../../../domain/Ids.js"
import type { WorkerStatus } from "../../../domain/Status.js"
import { decodeWorkers, workerJson } from "../Projections.js"

export const setWorkerState = (
  sql: SqlClient.SqlClient,
  id: WorkerId,
  from: WorkerStatus,
  to: WorkerStatus,
  sessionId: string | null,
  now: Date,
) =>
  sql`UPDATE workers w SET status = ${to}, session_id = ${sessionId}, updated_at = ${now},
      last_heartbeat_at = CASE WHEN ${sessionId}::text IS NULL THEN w.last_heartbeat_at ELSE ${now} END,
      terminated_at = ${to === "TERMINATED" ? now : null}::timestamptz
    WHERE w.id = ${id} AND w.status = ${from}
    RETURNING ${sql.literal(workerJson("w"))} AS worker`.pipe(
    Effect.flatMap((rows) => decodeWorkers(rows, "worker")),
    Effect.map((workers) => workers[0]),
  )
