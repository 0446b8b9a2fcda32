import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Either, Schema } from "effect"
import { Sha256 } from "../../../src/domain/Data.js"
import {
  ConcurrencyConflict,
  CostLimitExceeded,
  CredentialAccessDenied,
  CredentialInvalid,
  DataIntegrityFailed,
  DataNotFound,
  DataTransferFailed,
  DeadlineUnreachable,
  DependencyFailed,
  type DomainError,
  EntityAlreadyExists,
  EntityKind,
  EntityNotFound,
  ExperimentInProgress,
  ExperimentNotRunnable,
  errorCodes,
  formatPath,
  IllegalTransition,
  InvalidExperimentState,
  InvalidInput,
  invalidInputFromParseError,
  LeaseLost,
  NoAvailableWorkers,
  NoEligibleResource,
  NoUsableCredential,
  PermissionDenied,
  ResourceCapacityExceeded,
  ResourceInUse,
  ResourceUnavailable,
  ServiceUnavailable,
  StaleAttempt,
  TaskNotAssigned,
  TaskRetryExhausted,
  TaskTimedOut,
  TokenExpired,
  Unauthenticated,
  WorkerAlreadyConnected,
  WorkerRegistrationMismatch,
  WorkerUnauthenticated,
  WorkerUnavailable,
} from "../../../src/domain/Errors.js"
import { User } from "../../../src/domain/Identity.js"
import { Attempt, CredentialId, ExperimentId, TaskId, UserId, WorkerId } from "../../../src/domain/Ids.js"
import { Task } from "../../../src/domain/Task.js"

const task = TaskId.make("t-17")
const worker = WorkerId.make("w-3")
const experiment = ExperimentId.make("e-9")
const user = UserId.make("u-1")
const at = (iso: string) => DateTime.unsafeMake(iso)

// At least one instance of every error class: the mapped type does not compile if a tag is missing.
const samples: { readonly [T in DomainError["_tag"]]: ReadonlyArray<Extract<DomainError, { _tag: T }>> } = {
  EntityNotFound: EntityKind.literals.map((entity) => new EntityNotFound({ entity, id: "x-1" })),
  EntityAlreadyExists: EntityKind.literals.map(
    (entity) => new EntityAlreadyExists({ entity, field: "name", value: "dup", scope: "project p-1" }),
  ),
  IllegalTransition: [new IllegalTransition({ entity: "task", id: task, from: "COMPLETED", to: "RUNNING" })],
  ResourceUnavailable: [new ResourceUnavailable({ kind: "compute", id: "c-1", status: "MAINTENANCE" })],
  ResourceInUse: [new ResourceInUse({ kind: "storage", id: "s-1", usedBy: "3 experiments" })],
  ResourceCapacityExceeded: [new ResourceCapacityExceeded({ id: "c-1", maxWorkers: 4, requested: 5 })],
  CredentialAccessDenied: [
    new CredentialAccessDenied({ credentialId: CredentialId.make("k-1"), userId: user, permission: "write" }),
  ],
  CredentialInvalid: [
    new CredentialInvalid({ credentialId: CredentialId.make("k-2"), type: "API_KEY", reason: "not JSON" }),
  ],
  NoUsableCredential: [new NoUsableCredential({ kind: "compute", resourceId: "c-2", userId: user })],
  ExperimentInProgress: [
    new ExperimentInProgress({ experimentId: experiment, status: "EXECUTING", operation: "delete" }),
  ],
  InvalidExperimentState: [
    new InvalidExperimentState({
      experimentId: experiment,
      status: "COMPLETED",
      operation: "pause",
      allowed: ["EXECUTING"],
    }),
  ],
  ExperimentNotRunnable: [
    new ExperimentNotRunnable({ experimentId: experiment, reason: "it expands to no tasks" }),
  ],
  TaskNotAssigned: [new TaskNotAssigned({ taskId: task, workerId: worker })],
  StaleAttempt: [new StaleAttempt({ taskId: task, reported: Attempt.make(2), current: Attempt.make(3) })],
  LeaseLost: [new LeaseLost({ taskId: task, workerId: worker, attempt: Attempt.make(4) })],
  TaskRetryExhausted: [new TaskRetryExhausted({ taskId: task, attempts: 4, retries: 3 })],
  TaskTimedOut: [new TaskTimedOut({ taskId: task, attempt: Attempt.make(1), timeoutSeconds: 600 })],
  DependencyFailed: [new DependencyFailed({ taskId: task, dependency: "prep[2]" })],
  WorkerUnavailable: [new WorkerUnavailable({ workerId: worker, status: "DRAINING" })],
  WorkerUnauthenticated: [
    new WorkerUnauthenticated({ workerId: "w-?", reason: "invalid-token" }),
    new WorkerUnauthenticated({ reason: "missing-token" }),
  ],
  WorkerRegistrationMismatch: [
    new WorkerRegistrationMismatch({
      workerId: worker,
      field: "computeResourceId",
      expected: "c-1",
      actual: "c-2",
    }),
  ],
  WorkerAlreadyConnected: [new WorkerAlreadyConnected({ workerId: worker })],
  NoAvailableWorkers: [
    new NoAvailableWorkers({ experimentId: experiment, reason: "all resources at maxWorkers" }),
  ],
  NoEligibleResource: [
    new NoEligibleResource({ experimentId: experiment, task: "train", reason: "needs 8 GPUs" }),
  ],
  CostLimitExceeded: [new CostLimitExceeded({ experimentId: experiment, maxCost: 10, estimatedCost: 12.5 })],
  DeadlineUnreachable: [
    new DeadlineUnreachable({
      experimentId: experiment,
      deadline: at("2025-01-01T00:00:00Z"),
      estimatedCompletion: at("2025-01-02T00:00:00Z"),
    }),
  ],
  DataIntegrityFailed: [
    new DataIntegrityFailed({
      path: "/work/a.dat",
      expected: Sha256.make("a".repeat(64)),
      actual: Sha256.make("b".repeat(64)),
    }),
  ],
  DataNotFound: [new DataNotFound({ location: "s-1", path: "in/missing.dat" })],
  DataTransferFailed: [
    new DataTransferFailed({ source: "s3://b/a", destination: "/work/a", reason: "connection reset" }),
  ],
  Unauthenticated: [new Unauthenticated({ reason: "bearer token missing" })],
  TokenExpired: [new TokenExpired({ token: "access token", expiredAt: at("2025-01-01T00:00:00Z") })],
  PermissionDenied: [
    new PermissionDenied({ subject: "user:u-1", permission: "write", resource: "experiment:e-9" }),
  ],
  InvalidInput: [
    new InvalidInput({
      path: "tasks[2].walltime",
      expected: 'a walltime "H:MM:SS"',
      actual: "5m",
      source: "sweep.yaml",
    }),
  ],
  ConcurrencyConflict: [
    new ConcurrencyConflict({
      entity: "task",
      id: task,
      expected: { status: "RUNNING", attempt: 2 },
      actual: { status: "QUEUED", attempt: 3 },
    }),
  ],
  ServiceUnavailable: [new ServiceUnavailable({ service: "vault", reason: "connection refused" })],
}

const all: ReadonlyArray<DomainError> = Object.values(samples).flat()

describe("error catalogue", () => {
  it("lists each code once, in upper snake case", () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length)
    for (const code of errorCodes) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/)
  })

  it("lists exactly the codes the errors carry", () => {
    expect([...new Set(all.map((e) => e.code))].sort()).toEqual([...errorCodes].sort())
  })

  it("gives every code to one error class only", () => {
    const owner = new Map<string, string>()
    for (const error of all) {
      expect(owner.get(error.code) ?? error._tag, `${error.code} used by two tags`).toBe(error._tag)
      owner.set(error.code, error._tag)
    }
  })

  it("covers the codes of the reference catalogue", () => {
    for (const code of [
      "RESOURCE_NOT_FOUND",
      "CREDENTIAL_ACCESS_DENIED",
      "EXPERIMENT_IN_PROGRESS",
      "INVALID_EXPERIMENT_STATE",
      "TASK_NOT_ASSIGNED",
      "TASK_RETRY_EXHAUSTED",
      "WORKER_UNAVAILABLE",
      "NO_AVAILABLE_WORKERS",
      "DATA_INTEGRITY_FAILED",
      "TOKEN_EXPIRED",
      "PERMISSION_DENIED",
      "CONCURRENCY_CONFLICT",
      "STALE_ATTEMPT",
    ] as const) {
      expect(errorCodes).toContain(code)
    }
  })

  it.each(all.map((e) => [e._tag, e] as const))("%s names its fields in its message", (_, error) => {
    // Every scalar field (what was wrong, and where) appears in the message; entity kinds appear as labels.
    for (const [key, value] of Object.entries(error)) {
      if (key === "_tag" || key === "code") continue
      if (key === "entity" && typeof value === "string")
        expect(error.message).toContain(value.replace("-", " "))
      else if (typeof value === "string" || typeof value === "number")
        expect(error.message).toContain(String(value))
    }
  })

  it.effect("errors fail an Effect and are caught by tag", () =>
    Effect.gen(function* () {
      const caught = yield* Effect.fail(
        new StaleAttempt({ taskId: task, reported: Attempt.make(1), current: Attempt.make(2) }),
      ).pipe(Effect.catchTag("StaleAttempt", (e) => Effect.succeed(e.code)))
      expect(caught).toBe("STALE_ATTEMPT")
    }),
  )
})

describe("specific messages", () => {
  it("say precisely what happened", () => {
    expect(new EntityNotFound({ entity: "compute-resource", id: "c-1" }).message).toBe(
      "compute resource c-1 not found",
    )
    expect(new EntityNotFound({ entity: "storage-resource", id: "s-1" }).code).toBe("RESOURCE_NOT_FOUND")
    expect(
      new EntityAlreadyExists({ entity: "experiment", field: "name", value: "s", scope: "project p" })
        .message,
    ).toBe('experiment with name "s" already exists in project p')
    expect(new EntityAlreadyExists({ entity: "user", field: "email", value: "a@b" }).message).toBe(
      'user with email "a@b" already exists',
    )
    expect(samples.StaleAttempt[0]?.message).toBe(
      "task t-17: report for attempt 2 rejected, current attempt is 3",
    )
    expect(samples.ConcurrencyConflict[0]?.message).toBe(
      "task t-17 changed concurrently: expected RUNNING attempt 2, found QUEUED attempt 3",
    )
    expect(samples.InvalidInput[0]?.message).toBe(
      'sweep.yaml: tasks[2].walltime: a walltime "H:MM:SS", got 5m',
    )
    expect(samples.DataIntegrityFailed[0]?.message).toBe(
      `checksum mismatch for /work/a.dat: expected sha256 ${"a".repeat(64)}, got ${"b".repeat(64)}`,
    )
    expect(samples.WorkerUnauthenticated[1]?.message).toBe("worker refused: missing-token")
    expect(samples.DeadlineUnreachable[0]?.message).toContain("2025-01-02T00:00:00.000Z")
  })
})

describe("invalidInputFromParseError", () => {
  it("reports the path and expectation of the first issue", () => {
    const result = Schema.decodeUnknownEither(Task)({
      id: "t1",
      experimentId: "e1",
      key: "a[0]",
      name: "a",
      index: 0,
      script: "true",
      inputFiles: [{ path: "x", size: 1, checksum: "nope", type: "input" }],
      createdAt: "2025-01-01T00:00:00Z",
      updatedAt: "2025-01-01T00:00:00Z",
    })
    if (Either.isRight(result)) return expect.fail("expected a decode failure")
    const error = invalidInputFromParseError(result.left, "tasks.json")
    expect(error).toMatchObject({ path: "inputFiles[0].checksum", source: "tasks.json" })
    expect(error.message).toBe(
      "tasks.json: inputFiles[0].checksum: expected a SHA-256 checksum: 64 lowercase hex digits",
    )
  })

  it("works without a source", () => {
    const result = Schema.decodeUnknownEither(User)({})
    if (Either.isRight(result)) return expect.fail("expected a decode failure")
    const error = invalidInputFromParseError(result.left)
    expect(error.source).toBeUndefined()
    expect(error.path).toBe("id")
    expect(error.message).toBe("id: is missing")
  })

  it("formats paths like a reader writes them", () => {
    expect(formatPath([])).toBe("")
    expect(formatPath(["a"])).toBe("a")
    expect(formatPath([0, "b", 2, 3, "c"])).toBe("[0].b[2][3].c")
  })
})
