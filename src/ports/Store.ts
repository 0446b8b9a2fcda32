/**
 * The Store port: PostgreSQL (or embedded PGlite) as the source of truth for experiments, tasks,
 * attempts, leases and workers. Every method is one transaction; every status write goes through
 * the domain state machines with compare-and-set on (status, attempt); times come from Effect's
 * Clock. Implemented once over the generic SqlClient (src/layers/store/SqlStore.ts).
 */
import { Context, type Effect, type Either, type Stream } from "effect"
import type { EntityAlreadyExists, EntityNotFound, InvalidInput } from "../domain/Errors.js"
import type { Project, User } from "../domain/Identity.js"
import type { ExperimentId, TaskId, WorkerId } from "../domain/Ids.js"
import type { ComputeResource } from "../domain/Resources.js"
import type { ExpandedTask, Expansion } from "../domain/spec/ExpandedTask.js"
import type { Worker } from "../domain/Worker.js"
import type {
  ClaimError,
  CreateExperimentError,
  ExperimentControlError,
  ReportRejection,
  StoreUnavailable,
  WorkerAuthError,
  WorkerRegistryError,
} from "./StoreErrors.js"
import type {
  AddedTasks,
  CancelResult,
  ClaimedTask,
  CreatedExperiment,
  ExperimentQuery,
  ExperimentSummary,
  HeartbeatResult,
  Lease,
  LeaseOffer,
  LogChunk,
  LogEntry,
  LogQuery,
  NewExperiment,
  ReportOutcome,
  RetryResult,
  RevokedLeases,
  StoreChange,
  TaskCounts,
  TaskDetail,
  TaskPage,
  TaskQuery,
  TaskReport,
  WorkerRegistration,
} from "./StoreModel.js"

export interface StoreService {
  // Directory

  /** Inserts the user, or updates it when the id exists. */
  readonly saveUser: (user: User) => Effect.Effect<void, EntityAlreadyExists | StoreUnavailable>
  /** Inserts the project, or updates it when the id exists. */
  readonly saveProject: (
    project: Project,
  ) => Effect.Effect<void, EntityNotFound | EntityAlreadyExists | StoreUnavailable>
  /** Inserts the compute resource, or updates it when the id exists. */
  readonly saveComputeResource: (
    resource: ComputeResource,
  ) => Effect.Effect<void, EntityNotFound | EntityAlreadyExists | StoreUnavailable>

  // Experiments

  /**
   * Inserts the experiment and streams its tasks in batches (never all in memory), with their
   * dependency edges and barriers. Tasks waiting on nothing start QUEUED; with `start` (the
   * default) the experiment is EXECUTING on return.
   */
  readonly createExperiment: <E>(
    input: NewExperiment,
    expansion: Expansion<E>,
  ) => Effect.Effect<ExperimentSummary, E | CreateExperimentError>
  /**
   * createExperiment, and in the same statement leases up to `offer.max` of the new experiment's
   * ready tasks to `offer.workerId` as its claim would (same conditions, same order): work
   * submitted in the process of an idle worker's session starts without a claim's round trip.
   * Only an experiment that starts at once and fits in one statement is leased from; the rest is
   * QUEUED for any claimer, and `leased` is empty.
   */
  readonly createAndLease: <E>(
    input: NewExperiment,
    expansion: Expansion<E>,
    offer: LeaseOffer,
  ) => Effect.Effect<CreatedExperiment, E | CreateExperimentError>
  /**
   * Adds task instances to an open experiment (created with `open`) while it is EXECUTING or
   * PAUSED, in one statement: QUEUED, or with an `offer`, leased at birth as `createAndLease` does
   * (only while EXECUTING). They wait on nothing; their `key` and `index` are given by the store
   * (`name[n]`, `n` unique). InvalidInput when the experiment is closed or finished; nothing is
   * written then.
   */
  readonly addTasks: (
    experimentId: ExperimentId,
    tasks: ReadonlyArray<ExpandedTask>,
    offer?: LeaseOffer,
  ) => Effect.Effect<AddedTasks, EntityNotFound | InvalidInput | StoreUnavailable>
  /**
   * Closes an open experiment: it takes no more tasks, and finishes (COMPLETED or FAILED) once all
   * of its tasks are terminal, at once if they already are. Closing a closed experiment is a no-op.
   */
  readonly closeExperiment: (
    id: ExperimentId,
  ) => Effect.Effect<ExperimentSummary, EntityNotFound | StoreUnavailable>
  /** CREATED → EXECUTING. */
  readonly startExperiment: (id: ExperimentId) => Effect.Effect<ExperimentSummary, ExperimentControlError>
  /** EXECUTING → PAUSED: claims skip it; leased tasks run on. */
  readonly pauseExperiment: (id: ExperimentId) => Effect.Effect<ExperimentSummary, ExperimentControlError>
  /** PAUSED → EXECUTING. */
  readonly resumeExperiment: (id: ExperimentId) => Effect.Effect<ExperimentSummary, ExperimentControlError>
  /** Cancels every non-terminal task and the experiment; returns the leases to revoke on workers. */
  readonly cancelExperiment: (
    id: ExperimentId,
    reason?: string,
  ) => Effect.Effect<CancelResult, ExperimentControlError>
  /** FAILED tasks → QUEUED with a fresh retry budget; a FAILED experiment goes back to EXECUTING. */
  readonly retryFailed: (id: ExperimentId) => Effect.Effect<RetryResult, ExperimentControlError>
  /** The experiment with its progress counters. */
  readonly getExperiment: (
    id: ExperimentId,
  ) => Effect.Effect<ExperimentSummary, EntityNotFound | StoreUnavailable>
  /** Experiments matching the query, newest first. */
  readonly listExperiments: (
    query: ExperimentQuery,
  ) => Effect.Effect<ReadonlyArray<ExperimentSummary>, StoreUnavailable>
  /** Number of the experiment's tasks in each status. */
  readonly countTasks: (id: ExperimentId) => Effect.Effect<TaskCounts, EntityNotFound | StoreUnavailable>
  /** One page of an experiment's tasks (keyset-paged, insertion order); a foreign cursor is InvalidInput. */
  readonly listTasks: (query: TaskQuery) => Effect.Effect<TaskPage, InvalidInput | StoreUnavailable>
  /** A task with its attempt history. */
  readonly getTask: (id: TaskId) => Effect.Effect<TaskDetail, EntityNotFound | StoreUnavailable>

  // Work

  /**
   * Atomically leases up to `max` eligible tasks to the worker (one statement, SKIP LOCKED):
   * experiment EXECUTING, dependencies done, `notBefore` passed, requirements within the worker's
   * capabilities; by priority, then fair share (owner, then project, with the fewest running
   * tasks first), then age. Each moves QUEUED → DATA_STAGING with a new attempt and lease.
   */
  readonly claim: (workerId: WorkerId, max: number) => Effect.Effect<ReadonlyArray<ClaimedTask>, ClaimError>
  /** Applies one worker report, fenced by (taskId, attempt, workerId). */
  readonly report: (report: TaskReport) => Effect.Effect<ReportOutcome, ReportRejection | StoreUnavailable>
  /**
   * Applies many reports; each is accepted or rejected on its own (completions may commit apart
   * from the rest of the batch), and results come back in input order.
   */
  readonly reportMany: (
    reports: ReadonlyArray<TaskReport>,
  ) => Effect.Effect<ReadonlyArray<Either.Either<ReportOutcome, ReportRejection>>, StoreUnavailable>
  /**
   * Records the worker as alive and extends its leases (only `leases` when given); leases it
   * names but no longer holds come back as `stale`.
   */
  readonly heartbeat: (
    workerId: WorkerId,
    leases?: ReadonlyArray<Lease>,
  ) => Effect.Effect<HeartbeatResult, EntityNotFound | StoreUnavailable>
  /**
   * Takes back up to `limit` expired leases: requeued with backoff, or FAILED when out of
   * retries. Safe to run from several replicas at once.
   */
  readonly reap: (limit?: number) => Effect.Effect<RevokedLeases, StoreUnavailable>
  /** Requeues (without backoff) every task leased to a worker whose stream closed. */
  readonly releaseWorker: (workerId: WorkerId) => Effect.Effect<RevokedLeases, StoreUnavailable>
  /**
   * Requeues, claimable at once and without using up a retry, the named attempts the worker holds
   * but never started (still DATA_STAGING); returns those it gave back. Others are left alone.
   */
  readonly handBack: (
    workerId: WorkerId,
    leases: ReadonlyArray<Lease>,
  ) => Effect.Effect<ReadonlyArray<Lease>, StoreUnavailable>

  // Logs

  /** Stores output chunks; a chunk already stored (same task, attempt, stream, seq) is ignored. */
  readonly appendLogs: (
    chunks: ReadonlyArray<LogChunk>,
  ) => Effect.Effect<void, EntityNotFound | StoreUnavailable>
  /** Reads output chunks of one attempt. */
  readonly readLogs: (query: LogQuery) => Effect.Effect<ReadonlyArray<LogEntry>, StoreUnavailable>

  // Workers

  /** Registers the worker (REGISTERED), or updates the registration of a known, non-terminated one. */
  readonly registerWorker: (registration: WorkerRegistration) => Effect.Effect<Worker, WorkerRegistryError>
  /** The worker as registered. */
  readonly getWorker: (id: WorkerId) => Effect.Effect<Worker, EntityNotFound | StoreUnavailable>
  /** The worker, when `tokenHash` matches the hash stored at registration. */
  readonly authenticateWorker: (id: WorkerId, tokenHash: string) => Effect.Effect<Worker, WorkerAuthError>
  /** A stream opened for the worker: IDLE (from REGISTERED or DISCONNECTED), session recorded. */
  readonly workerSeen: (id: WorkerId, sessionId: string) => Effect.Effect<Worker, WorkerRegistryError>
  /** The worker's stream closed: DISCONNECTED. Its tasks are released by `releaseWorker`. */
  readonly markDisconnected: (id: WorkerId) => Effect.Effect<Worker, WorkerRegistryError>

  // Maintenance

  /**
   * Refreshes the planner statistics of tables that have grown since they were last analyzed (for
   * engines or servers that run no autovacuum); returns the tables analyzed.
   */
  readonly refreshStatistics: Effect.Effect<ReadonlyArray<string>, StoreUnavailable>
  /**
   * Vacuums the per-task tables, making the space of finished tasks' old row versions reusable
   * (for engines that run no autovacuum). Holds an embedded database while it runs: call it where
   * nothing waits.
   */
  readonly reclaimSpace: Effect.Effect<void, StoreUnavailable>

  // Change feed

  /** Changes committed by any replica, as they happen (LISTEN/NOTIFY); runs until interrupted. */
  readonly changes: Stream.Stream<StoreChange, StoreUnavailable>
}

/** The persistence port. */
export class Store extends Context.Tag("airavata/Store")<Store, StoreService>() {}
