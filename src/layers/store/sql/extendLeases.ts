/**
 * A worker's heartbeat: records it as seen and extends its leases to `until` — all of them, or
 * only the attempts it names. Returns the leases extended; none when the worker is unknown.
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
) =>
  // Task rows are locked in id order, as reports lock them, so the two never deadlock.
  leases === undefined
    ? sql`WITH locked AS (
        SELECT id FROM tasks WHERE lease_owner = ${workerId} ORDER BY id FOR UPDATE
      )
      UPDATE tasks t SET lease_expires_at = ${until}, updated_at = ${now}
      FROM locked WHERE t.id = locked.id AND t.lease_owner = ${workerId}
      RETURNING t.id::text AS "taskId", t.attempt AS "attempt"`
    : sql`WITH locked AS (
        SELECT t.id FROM tasks t
        JOIN unnest(${leases.map((l) => l.taskId)}::uuid[], ${leases.map((l) => l.attempt)}::int[])
          AS u(id, attempt) ON t.id = u.id AND t.attempt = u.attempt
        WHERE t.lease_owner = ${workerId}
        ORDER BY t.id FOR UPDATE OF t
      )
      UPDATE tasks t SET lease_expires_at = ${until}, updated_at = ${now}
      FROM locked WHERE t.id = locked.id AND t.lease_owner = ${workerId}
      RETURNING t.id::text AS "taskId", t.attempt AS "attempt"`

/** None when the worker is unknown; otherwise the (task, attempt) pairs whose leases now run to `until`. */
export const extendLeases = (
  sql: SqlClient.SqlClient,
  workerId: WorkerId,
  leases: ReadonlyArray<Lease> | undefined,
  now: Date,
  until: Date,
) =>
  Effect.gen(function* () {
    // Tasks first, then the worker row: the order reports lock them in.
    const rows = yield* extend(sql, workerId, leases, now, until)
    if (!(yield* touchWorker(sql, workerId, now))) return Option.none()
    return Option.some(yield* decodeExtended(rows))
  })
