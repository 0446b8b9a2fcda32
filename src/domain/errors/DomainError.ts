/** The union of every domain error, for exhaustive mapping at the API boundaries. */
import type { PermissionDenied, TokenExpired, Unauthenticated } from "./AuthErrors.js"
import type { CredentialAccessDenied, CredentialInvalid, NoUsableCredential } from "./CredentialErrors.js"
import type { DataIntegrityFailed, DataNotFound, DataTransferFailed } from "./DataErrors.js"
import type { EntityAlreadyExists, EntityNotFound } from "./EntityErrors.js"
import type {
  ExperimentInProgress,
  ExperimentNotRunnable,
  InvalidExperimentState,
} from "./ExperimentErrors.js"
import type { ResourceCapacityExceeded, ResourceInUse, ResourceUnavailable } from "./ResourceErrors.js"
import type {
  CostLimitExceeded,
  DeadlineUnreachable,
  NoAvailableWorkers,
  NoEligibleResource,
} from "./SchedulingErrors.js"
import type { IllegalTransition } from "./StateErrors.js"
import type { ConcurrencyConflict, ServiceUnavailable } from "./SystemErrors.js"
import type {
  DependencyFailed,
  LeaseLost,
  StaleAttempt,
  TaskNotAssigned,
  TaskRetryExhausted,
  TaskTimedOut,
} from "./TaskErrors.js"
import type { InvalidInput } from "./ValidationErrors.js"
import type {
  WorkerAlreadyConnected,
  WorkerRegistrationMismatch,
  WorkerUnauthenticated,
  WorkerUnavailable,
} from "./WorkerErrors.js"

/** Any error the domain defines. Discriminate on `_tag`; report `code`. */
export type DomainError =
  | EntityNotFound
  | EntityAlreadyExists
  | IllegalTransition
  | ResourceUnavailable
  | ResourceInUse
  | ResourceCapacityExceeded
  | CredentialAccessDenied
  | CredentialInvalid
  | NoUsableCredential
  | ExperimentInProgress
  | InvalidExperimentState
  | ExperimentNotRunnable
  | TaskNotAssigned
  | StaleAttempt
  | LeaseLost
  | TaskRetryExhausted
  | TaskTimedOut
  | DependencyFailed
  | WorkerUnavailable
  | WorkerUnauthenticated
  | WorkerRegistrationMismatch
  | WorkerAlreadyConnected
  | NoAvailableWorkers
  | NoEligibleResource
  | CostLimitExceeded
  | DeadlineUnreachable
  | DataIntegrityFailed
  | DataNotFound
  | DataTransferFailed
  | Unauthenticated
  | TokenExpired
  | PermissionDenied
  | InvalidInput
  | ConcurrencyConflict
  | ServiceUnavailable
