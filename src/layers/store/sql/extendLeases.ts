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
  leases === undefined
    ? sql`UPDATE tasks SET lease_expires_at = ${until}, updated_at = ${now}
        WHERE lease_owner = ${workerId}
        RETURNING id::text AS "taskId", attempt AS "attempt"`
    : sql`UPDATE tasks t SET lease_expires_at = ${until}, updated_at = ${now}
        FROM unnest(${leases.map((l) => l.taskId)}::uuid[], ${leases.map((l) => l.attempt)}::int[])
          AS u(id, attempt)
        WHERE t.id = u.id AND t.attempt = u.attempt AND t.lease_owner = ${workerId}
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
    if (!(yield* touchWorker(sql, workerId, now))) return Option.none()
    const rows = yield* extend(sql, workerId, leases, now, until)
    return Option.some(yield* decodeExtended(rows))
  })
