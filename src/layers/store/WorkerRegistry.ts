/** The worker registry: registration, authentication and connection state, through WorkerMachine. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import {
  EntityNotFound,
  IllegalTransition,
  type ServiceUnavailable,
  WorkerUnauthenticated,
} from "../../domain/Errors.js"
import type { WorkerId } from "../../domain/Ids.js"
import { WorkerMachine } from "../../domain/StateMachine.js"
import type { WorkerStatus } from "../../domain/Status.js"
import type { Worker } from "../../domain/Worker.js"
import type { WorkerAuthError, WorkerRegistryError } from "../../ports/StoreErrors.js"
import type { WorkerRegistration } from "../../ports/StoreModel.js"
import { isForeignKeyViolation, orUnavailable, transaction } from "./SqlFailures.js"
import { selectWorker } from "./sql/selectWorker.js"
import { setWorkerState } from "./sql/setWorkerState.js"
import { upsertWorker } from "./sql/upsertWorker.js"
import { now as currentTime } from "./Time.js"

export const registerWorker =
  (sql: SqlClient.SqlClient) =>
  (registration: WorkerRegistration): Effect.Effect<Worker, WorkerRegistryError> =>
    Effect.gen(function* () {
      const now = yield* currentTime
      const worker = yield* upsertWorker(sql, registration, now).pipe(
        Effect.catchIf(
          (error) =>
            error instanceof SqlError && isForeignKeyViolation(error, "workers_compute_resource_id_fkey"),
          () =>
            Effect.fail(
              new EntityNotFound({ entity: "compute-resource", id: registration.computeResourceId }),
            ),
        ),
      )
      if (worker === undefined) {
        return yield* new IllegalTransition({
          entity: "worker",
          id: registration.id,
          from: "TERMINATED",
          to: "REGISTERED",
        })
      }
      return worker
    }).pipe(
      orUnavailable,
      Effect.withSpan("Store.registerWorker", { attributes: { workerId: registration.id } }),
    )

export const getWorker =
  (sql: SqlClient.SqlClient) =>
  (id: WorkerId): Effect.Effect<Worker, EntityNotFound | ServiceUnavailable> =>
    Effect.gen(function* () {
      const row = yield* selectWorker(sql, id, false)
      if (row === undefined) return yield* new EntityNotFound({ entity: "worker", id })
      return row.worker
    }).pipe(orUnavailable, Effect.withSpan("Store.getWorker", { attributes: { workerId: id } }))

export const authenticateWorker =
  (sql: SqlClient.SqlClient) =>
  (id: WorkerId, tokenHash: string): Effect.Effect<Worker, WorkerAuthError> =>
    Effect.gen(function* () {
      const row = yield* selectWorker(sql, id, false)
      if (row === undefined)
        return yield* new WorkerUnauthenticated({ workerId: id, reason: "unknown-worker" })
      if (row.worker.status === "TERMINATED") {
        return yield* new WorkerUnauthenticated({ workerId: id, reason: "terminated" })
      }
      if (row.tokenHash === null || row.tokenHash !== tokenHash) {
        return yield* new WorkerUnauthenticated({ workerId: id, reason: "invalid-token" })
      }
      return row.worker
    }).pipe(orUnavailable, Effect.withSpan("Store.authenticateWorker", { attributes: { workerId: id } }))

/** Locks the worker, asks WorkerMachine for `to` (staying put is allowed), writes status and session. */
const moveWorker = (sql: SqlClient.SqlClient, id: WorkerId, to: WorkerStatus, sessionId: string | null) =>
  transaction(sql)(
    Effect.gen(function* () {
      const now = yield* currentTime
      const row = yield* selectWorker(sql, id, true)
      if (row === undefined) return yield* new EntityNotFound({ entity: "worker", id })
      const from = row.worker.status
      if (from !== to) yield* WorkerMachine.transition(from, to, id)
      const worker = yield* setWorkerState(sql, id, from, to, sessionId, now)
      return worker ?? (yield* Effect.dieMessage(`worker ${id} changed under its lock`))
    }),
  )

export const workerSeen =
  (sql: SqlClient.SqlClient) =>
  (id: WorkerId, sessionId: string): Effect.Effect<Worker, WorkerRegistryError> =>
    Effect.gen(function* () {
      const row = yield* orUnavailable(selectWorker(sql, id, false))
      // A connected worker keeps its status (IDLE, BUSY, DRAINING); a new or returning one becomes IDLE.
      const status = row?.worker.status
      const to: WorkerStatus =
        status === "BUSY" || status === "DRAINING" || status === "IDLE" ? status : "IDLE"
      return yield* moveWorker(sql, id, to, sessionId)
    }).pipe(Effect.withSpan("Store.workerSeen", { attributes: { workerId: id } }))

export const markDisconnected =
  (sql: SqlClient.SqlClient) =>
  (id: WorkerId): Effect.Effect<Worker, WorkerRegistryError> =>
    moveWorker(sql, id, "DISCONNECTED", null).pipe(
      Effect.withSpan("Store.markDisconnected", { attributes: { workerId: id } }),
    )
