/**
 * The Store, implemented once over the generic SqlClient; the engine (PostgreSQL or PGlite) is
 * whichever SqlClient and ChangeListener are provided. Each method lives in a module named for its
 * area; the SQL statements they run live one per module under sql/.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Duration, Effect, Layer } from "effect"
import { Store, type StoreService } from "../../ports/Store.js"
import { ChangeListener } from "./ChangeListener.js"
import { claim } from "./Claims.js"
import { saveComputeResource, saveProject, saveUser } from "./Directory.js"
import {
  cancelExperiment,
  pauseExperiment,
  resumeExperiment,
  retryFailed,
  startExperiment,
} from "./ExperimentControl.js"
import { createAndLease, createExperiment } from "./ExperimentCreation.js"
import { handBack, heartbeat, reap, releaseWorker } from "./Leases.js"
import { appendLogs, readLogs } from "./Logs.js"
import { changeStream } from "./Notify.js"
import { countTasks, getExperiment, getTask, listExperiments, listTasks } from "./Queries.js"
import { report, reportMany } from "./Reports.js"
import { orUnavailable } from "./SqlFailures.js"
import { reclaimSpace } from "./sql/reclaimSpace.js"
import { refreshStatistics } from "./sql/refreshStatistics.js"
import { addTasks, closeExperiment } from "./TaskAddition.js"
import {
  authenticateWorker,
  getWorker,
  markDisconnected,
  registerWorker,
  workerSeen,
} from "./WorkerRegistry.js"

export interface SqlStoreOptions {
  /** How long a claim or heartbeat keeps a lease alive (default 30 seconds). */
  readonly leaseDuration?: Duration.DurationInput | undefined
}

/** Builds the Store over the SqlClient and ChangeListener in context. */
export const make = (options: SqlStoreOptions = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const listener = yield* ChangeListener
    const leaseMillis = Duration.toMillis(options.leaseDuration ?? Duration.seconds(30))
    const store: StoreService = {
      saveUser: saveUser(sql),
      saveProject: saveProject(sql),
      saveComputeResource: saveComputeResource(sql),
      createExperiment: createExperiment(sql),
      createAndLease: createAndLease(sql, leaseMillis),
      addTasks: addTasks(sql, leaseMillis),
      closeExperiment: closeExperiment(sql),
      startExperiment: startExperiment(sql),
      pauseExperiment: pauseExperiment(sql),
      resumeExperiment: resumeExperiment(sql),
      cancelExperiment: cancelExperiment(sql),
      retryFailed: retryFailed(sql),
      getExperiment: getExperiment(sql),
      listExperiments: listExperiments(sql),
      countTasks: countTasks(sql),
      listTasks: listTasks(sql),
      getTask: getTask(sql),
      claim: claim(sql, leaseMillis),
      report: report(sql, leaseMillis),
      reportMany: reportMany(sql, leaseMillis),
      heartbeat: heartbeat(sql, leaseMillis),
      reap: reap(sql),
      releaseWorker: releaseWorker(sql),
      handBack: handBack(sql),
      appendLogs: appendLogs(sql),
      readLogs: readLogs(sql),
      registerWorker: registerWorker(sql),
      getWorker: getWorker(sql),
      authenticateWorker: authenticateWorker(sql),
      workerSeen: workerSeen(sql),
      markDisconnected: markDisconnected(sql),
      refreshStatistics: refreshStatistics(sql).pipe(
        orUnavailable,
        Effect.withSpan("Store.refreshStatistics", { captureStackTrace: false }),
      ),
      reclaimSpace: reclaimSpace(sql).pipe(
        orUnavailable,
        Effect.withSpan("Store.reclaimSpace", { captureStackTrace: false }),
      ),
      changes: changeStream(listener),
    }
    return store
  })

/** The Store over the SqlClient and ChangeListener of the layer it is provided with. */
export const layer = (
  options: SqlStoreOptions = {},
): Layer.Layer<Store, never, SqlClient.SqlClient | ChangeListener> => Layer.effect(Store, make(options))
