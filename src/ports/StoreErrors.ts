/**
 * The errors the Store port fails with, grouped per kind of operation. The classes themselves
 * are the domain's (src/domain/Errors.ts); this module names the unions so callers can match
 * exhaustively. Database failures reach callers as ServiceUnavailable({ service: "store" }).
 */
import type {
  EntityAlreadyExists,
  EntityNotFound,
  IllegalTransition,
  InvalidInput,
  LeaseLost,
  ServiceUnavailable,
  StaleAttempt,
  TaskNotAssigned,
  WorkerUnauthenticated,
  WorkerUnavailable,
} from "../domain/Errors.js"

/** The database could not be reached or refused a statement. */
export type StoreUnavailable = ServiceUnavailable

/** Why `createExperiment` refused: unknown owner/project, duplicate id or name, or an expansion that
 * contradicts itself (count mismatch, unknown dependency, duplicate key). */
export type CreateExperimentError = EntityNotFound | EntityAlreadyExists | InvalidInput | StoreUnavailable

/** Why an experiment control operation (start, pause, resume, cancel, retry) refused. */
export type ExperimentControlError = EntityNotFound | IllegalTransition | StoreUnavailable

/**
 * Why a single worker report was rejected. StaleAttempt: the report names an attempt other than
 * the current one. TaskNotAssigned: right attempt, wrong worker. LeaseLost: right attempt and
 * worker, but the lease was taken away (expired and reaped, released, or the experiment canceled).
 * IllegalTransition: the reported status cannot follow the current one. EntityNotFound: no such task.
 */
export type ReportRejection = StaleAttempt | TaskNotAssigned | LeaseLost | IllegalTransition | EntityNotFound

/** Why `claim` returned nothing at all: the worker is unknown or may not take work in its status. */
export type ClaimError = EntityNotFound | WorkerUnavailable | StoreUnavailable

/** Why a worker registry operation refused. */
export type WorkerRegistryError = EntityNotFound | IllegalTransition | StoreUnavailable

/** Why a worker's credentials were refused. */
export type WorkerAuthError = WorkerUnauthenticated | StoreUnavailable
