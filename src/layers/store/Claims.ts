/** `claim`: the single-statement lease, and why nothing came back when nothing did. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { EntityNotFound, WorkerUnavailable } from "../../domain/Errors.js"
import { Attempt, ExperimentId, TaskId, WorkerId } from "../../domain/Ids.js"
import { WorkerStatus } from "../../domain/Status.js"
import { InputValue } from "../../domain/spec/ExpandedTask.js"
import type { ClaimError } from "../../ports/StoreErrors.js"
import type { ClaimedTask } from "../../ports/StoreModel.js"
import { rowDecoder } from "./Rows.js"
import { orUnavailable } from "./SqlFailures.js"
import { checkClaimedRow } from "./sql/claimedRowCheck.js"
import { claimTasks } from "./sql/claimTasks.js"
import { taskIdFor } from "./TaskIds.js"
import { now as currentTime, plusMillis } from "./Time.js"
import { requireTaskMove } from "./Transitions.js"

const WorkerStatusRows = Schema.Array(Schema.Struct({ status: WorkerStatus }))
const decodeWorkerStatusRows = rowDecoder(WorkerStatusRows)

const ClaimedRow = Schema.Struct({
  taskId: TaskId,
  experimentId: ExperimentId,
  key: Schema.String,
  name: Schema.String,
  index: Schema.Int,
  attempt: Attempt,
  workerId: WorkerId,
  script: Schema.String,
  handler: Schema.NullOr(Schema.String),
  inputs: Schema.Record({ key: Schema.String, value: InputValue }),
  outputs: Schema.Record({ key: Schema.String, value: Schema.String }),
  environment: Schema.Record({ key: Schema.String, value: Schema.String }),
  cpuCores: Schema.Int,
  memoryMB: Schema.Int,
  diskGB: Schema.Int,
  gpus: Schema.Int,
  timeoutSeconds: Schema.NullOr(Schema.Int),
  leaseExpiresAt: Schema.DateTimeUtcFromDate,
})
type ClaimedRow = typeof ClaimedRow.Type

const decodeClaimed = rowDecoder(Schema.Array(ClaimedRow))

/** Upstream instance ids of the task's OutputRef inputs, by key. */
const upstreamOf = (row: ClaimedRow): Record<string, TaskId> => {
  const upstream: Record<string, TaskId> = {}
  for (const input of Object.values(row.inputs)) {
    if (typeof input !== "string") upstream[input.task] = taskIdFor(row.experimentId, input.task)
  }
  return upstream
}

// Just decoded: the fields are what the schema would give. Spelled out rather than spread: this
// runs per claimed task.
const toClaimed = (row: ClaimedRow): ClaimedTask => {
  const task: { -readonly [K in keyof ClaimedTask]: ClaimedTask[K] } = {
    taskId: row.taskId,
    experimentId: row.experimentId,
    key: row.key,
    name: row.name,
    index: row.index,
    attempt: row.attempt,
    workerId: row.workerId,
    script: row.script,
    inputs: row.inputs,
    outputs: row.outputs,
    environment: row.environment,
    upstream: upstreamOf(row),
    cpuCores: row.cpuCores,
    memoryMB: row.memoryMB,
    diskGB: row.diskGB,
    gpus: row.gpus,
    leaseExpiresAt: row.leaseExpiresAt,
  }
  if (row.handler !== null) task.handler = row.handler
  if (row.timeoutSeconds !== null) task.timeoutSeconds = row.timeoutSeconds
  return task
}

/** Leased task rows (selected with `claimedColumns`) as ClaimedTasks. */
export const claimedTasksOf = (rows: ReadonlyArray<unknown>) =>
  Effect.gen(function* () {
    const claimed: Array<ClaimedTask> = []
    for (const row of rows) {
      const checked = checkClaimedRow(row)
      // The brands are what the schema would give these very values (same rules, checked above).
      const decoded = checked === undefined ? (yield* decodeClaimed([row]))[0] : (checked as ClaimedRow)
      if (decoded !== undefined) claimed.push(toClaimed(decoded))
    }
    return claimed
  })

// An empty claim is normal (no work); it is an error only when the worker may not claim at all.
const whyNothing = (sql: SqlClient.SqlClient, workerId: WorkerId) =>
  Effect.gen(function* () {
    const rows = yield* sql`SELECT status FROM workers WHERE id = ${workerId}`
    const worker = (yield* decodeWorkerStatusRows(rows))[0]
    if (worker === undefined) return yield* new EntityNotFound({ entity: "worker", id: workerId })
    if (worker.status !== "REGISTERED" && worker.status !== "IDLE" && worker.status !== "BUSY") {
      return yield* new WorkerUnavailable({ workerId, status: worker.status })
    }
    return []
  })

export const claim =
  (sql: SqlClient.SqlClient, leaseMillis: number) =>
  (workerId: WorkerId, max: number): Effect.Effect<ReadonlyArray<ClaimedTask>, ClaimError> =>
    Effect.gen(function* () {
      yield* requireTaskMove("QUEUED", "DATA_STAGING")
      if (!Number.isInteger(max) || max < 1) return []
      const now = yield* currentTime
      const rows = yield* claimTasks(sql, { workerId, max, now, leaseUntil: plusMillis(now, leaseMillis) })
      if (rows.length === 0) return yield* whyNothing(sql, workerId)
      // No NOTIFY here: PostgreSQL serialises the commits of notifying transactions, and the claim
      // is the hot path. Watchers see the attempt's first report instead.
      return yield* claimedTasksOf(rows)
    }).pipe(
      orUnavailable,
      // As for every span on the per-message path (claims, reports, heartbeats, submissions): no
      // call-site stack trace, whose capture cost more than the span, tracer or not.
      Effect.withSpan("Store.claim", { attributes: { workerId, max }, captureStackTrace: false }),
    )
