/**
 * A worker's heartbeat: records it as seen and extends its leases to `until` — all of them, or
 * only the attempts it names. Returns the leases it holds; none when the worker is unknown.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Option, Schema } from "effect"
import { Attempt, TaskId, type WorkerId } from "../../../domain/Ids.js"
import type { Lease } from "../../../ports/StoreModel.js"
import { rowDecoder } from "../Rows.js"

const Extended = Schema.Array(Schema.Struct({ taskId: TaskId, attempt: Attempt }))
const decodeExtended = rowDecoder(Extended)

const touchWorker = (sql: SqlClient.SqlClient, workerId: WorkerId, now: Date) =>
  Effect.map(
    sql`UPDATE workers SET last_heartbeat_at = ${now}, updated_at = ${now} WHERE id = ${workerId} RETURNING id`,
    (rows) => rows.length === 1,
  )

const extend = (
  sql: SqlClient.SqlClient,
  workerId: WorkerId,
  leases: ReadonlyArray<Lease> | undefined,
  now: Date,
  until: Date,
  refreshBefore: Date,
) => {
  const ids = leases === undefined ? [] : leases.map((l) => l.taskId)
  const held =
    leases === undefined
      ? sql`SELECT t.id, t.attempt, t.lease_expires_at FROM tasks t WHERE t.lease_owner = ${workerId}`
      : sql`SELECT t.id, t.attempt, t.lease_expires_at FROM tasks t
          JOIN unnest(${ids}::uuid[], ${leases.map((l) => l.attempt)}::int[])
            AS u(id, attempt) ON t.id = u.id AND t.attempt = u.attempt
          WHERE t.id = ANY(${ids}::uuid[]) AND t.lease_owner = ${workerId}`
  // Only leases last extended (or claimed) before `refreshBefore` are written: a worker holding
  // many short tasks would otherwise rewrite, and lock, every one of them at each heartbeat. Task
  // rows are locked in id order, as reports lock them, so the two never deadlock.
  return sql`WITH held AS (${held}), locked AS (
      SELECT t.id FROM tasks t JOIN held h ON h.id = t.id
      WHERE h.lease_expires_at < ${refreshBefore}
      ORDER BY t.id FOR UPDATE OF t
    ), extended AS (
      UPDATE tasks t SET lease_expires_at = ${until}, updated_at = ${now}
      FROM locked WHERE t.id = locked.id AND t.lease_owner = ${workerId}
      RETURNING t.id, t.attempt
    )
    SELECT id::text AS "taskId", attempt AS "attempt" FROM held WHERE lease_expires_at >= ${refreshBefore}
    UNION ALL
    SELECT id::text AS "taskId", attempt AS "attempt" FROM extended`
}

/**
 * None when the worker is unknown; otherwise the (task, attempt) pairs it holds, each lease now
 * running to `until` or, when it was extended after `refreshBefore`, left as it was.
 */
export const extendLeases = (
  sql: SqlClient.SqlClient,
  workerId: WorkerId,
  leases: ReadonlyArray<Lease> | undefined,
  now: Date,
  until: Date,
  refreshBefore: Date,
) =>
  Effect.gen(function* () {
    // Tasks first, then the worker row: the order reports lock them in.
    const rows = yield* extend(sql, workerId, leases, now, until, refreshBefore)
    if (!(yield* touchWorker(sql, workerId, now))) return Option.none()
    return Option.some(yield* decodeExtended(rows))
  })
