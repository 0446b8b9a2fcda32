/** Conversions between the wire protocol and the domain: statuses, error codes, times, messages. */
import { BinaryWriter } from "@bufbuild/protobuf/wire"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, FastCheck as fc, Option, Schema } from "effect"
import {
  AssignedTask,
  decodeTaskAssignment,
  encodeTaskAssignment,
} from "../../../src/api/grpc/AssignedTask.js"
import { GrpcStatusError, GrpcStatusName, InvalidWireMessage } from "../../../src/api/grpc/GrpcErrors.js"
import {
  grpcStatusCode,
  grpcStatusName,
  statusForErrorCode,
  toGrpcStatusError,
} from "../../../src/api/grpc/GrpcStatus.js"
import { TaskStatus as WireTaskStatus } from "../../../src/api/grpc/generated/experiment.js"
import {
  OutputType,
  TaskAssignment,
  TaskStatusUpdateRequest,
  WorkerStatus as WireWorkerStatus,
} from "../../../src/api/grpc/generated/worker.js"
import {
  durationFromProto,
  durationToProto,
  timestampFromMillis,
  timestampToMillis,
} from "../../../src/api/grpc/ProtoTime.js"
import {
  outputStreamFromProto,
  outputStreamToProto,
  taskStatusFromProto,
  taskStatusToProto,
  workerStatusFromProto,
} from "../../../src/api/grpc/StatusMapping.js"
import {
  decodeTaskStatusUpdate,
  encodeTaskStatusUpdate,
  TaskReport,
  validateTaskStatusUpdate,
} from "../../../src/api/grpc/TaskReport.js"
import { TaskStatus } from "../../../src/domain/Status.js"

/** The expected correspondence, written out independently of the implementation. */
const taskStatusTable: ReadonlyArray<readonly [TaskStatus, number, string]> = [
  ["CREATED", 0, "TASK_STATUS_CREATED"],
  ["QUEUED", 1, "TASK_STATUS_QUEUED"],
  ["DATA_STAGING", 2, "TASK_STATUS_DATA_STAGING"],
  ["ENV_SETUP", 3, "TASK_STATUS_ENV_SETUP"],
  ["RUNNING", 4, "TASK_STATUS_RUNNING"],
  ["OUTPUT_STAGING", 5, "TASK_STATUS_OUTPUT_STAGING"],
  ["COMPLETED", 6, "TASK_STATUS_COMPLETED"],
  ["FAILED", 7, "TASK_STATUS_FAILED"],
  ["CANCELED", 8, "TASK_STATUS_CANCELLED"],
]

const numericMembers = (enumObject: object): Array<number> =>
  Object.values(enumObject).filter((v): v is number => typeof v === "number")

/** A TaskStatusUpdateRequest whose status field (3) holds `status`, decoded as a receiver would. */
const wireUpdateWithStatus = (status: number) =>
  TaskStatusUpdateRequest.decode(
    new BinaryWriter()
      .uint32((3 << 3) | 0)
      .int32(status)
      .finish(),
  )

describe("task status mapping", () => {
  it("covers every domain status and every wire value, both ways, as the table says", () => {
    expect(taskStatusTable.map(([domain]) => domain).sort()).toEqual([...TaskStatus.literals].sort())
    expect(taskStatusTable.map(([, wire]) => wire).sort()).toEqual(
      numericMembers(WireTaskStatus)
        .filter((v) => v !== WireTaskStatus.UNRECOGNIZED)
        .sort(),
    )
    for (const [domain, wire, name] of taskStatusTable) {
      expect(taskStatusToProto(domain)).toBe(wire)
      expect(WireTaskStatus[wire]).toBe(name)
      expect(taskStatusFromProto(wireUpdateWithStatus(wire).status)).toEqual(Option.some(domain))
    }
  })

  it("has no domain status for UNRECOGNIZED or for numbers outside the enum", () => {
    expect(taskStatusFromProto(WireTaskStatus.UNRECOGNIZED)).toEqual(Option.none())
    expect(taskStatusFromProto(wireUpdateWithStatus(42).status)).toEqual(Option.none())
  })

  it("reconciles worker statuses as the reference server does", () => {
    const expected: Record<string, "IDLE" | "BUSY"> = {
      WORKER_STATUS_UNKNOWN: "IDLE",
      WORKER_STATUS_IDLE: "IDLE",
      WORKER_STATUS_BUSY: "BUSY",
      WORKER_STATUS_STAGING: "BUSY",
      WORKER_STATUS_ERROR: "IDLE",
      UNRECOGNIZED: "IDLE",
    }
    for (const value of numericMembers(WireWorkerStatus)) {
      expect([WireWorkerStatus[value], workerStatusFromProto(value)]).toEqual([
        WireWorkerStatus[value],
        expected[WireWorkerStatus[value] ?? ""],
      ])
    }
  })

  it("maps output streams both ways", () => {
    for (const stream of ["stdout", "stderr", "log"] as const) {
      expect(outputStreamFromProto(outputStreamToProto(stream))).toEqual(Option.some(stream))
    }
    expect(outputStreamToProto("stderr")).toBe(OutputType.OUTPUT_TYPE_STDERR)
    expect(outputStreamFromProto(OutputType.OUTPUT_TYPE_UNKNOWN)).toEqual(Option.none())
  })
})

describe("gRPC status codes", () => {
  it("names and numbers agree with the gRPC table", () => {
    GrpcStatusName.literals.forEach((name, code) => {
      expect(grpcStatusCode(name)).toBe(code)
      expect(grpcStatusName(code)).toBe(name)
    })
    expect(grpcStatusName(99)).toBe("UNKNOWN")
  })

  it("maps domain error codes to the statuses a worker expects", () => {
    expect(
      Object.fromEntries(
        [
          "TASK_NOT_FOUND",
          "WORKER_NOT_FOUND",
          "WORKER_ALREADY_EXISTS",
          "INVALID_INPUT",
          "WORKER_REGISTRATION_MISMATCH",
          "WORKER_UNAUTHENTICATED",
          "TOKEN_EXPIRED",
          "PERMISSION_DENIED",
          "TASK_NOT_ASSIGNED",
          "STALE_ATTEMPT",
          "INVALID_STATE_TRANSITION",
          "CONCURRENCY_CONFLICT",
          "SOMETHING_NEW",
        ].map((code) => [code, statusForErrorCode(code)]),
      ),
    ).toEqual({
      TASK_NOT_FOUND: "NOT_FOUND",
      WORKER_NOT_FOUND: "NOT_FOUND",
      WORKER_ALREADY_EXISTS: "ALREADY_EXISTS",
      INVALID_INPUT: "INVALID_ARGUMENT",
      WORKER_REGISTRATION_MISMATCH: "INVALID_ARGUMENT",
      WORKER_UNAUTHENTICATED: "UNAUTHENTICATED",
      TOKEN_EXPIRED: "UNAUTHENTICATED",
      PERMISSION_DENIED: "PERMISSION_DENIED",
      TASK_NOT_ASSIGNED: "PERMISSION_DENIED",
      STALE_ATTEMPT: "FAILED_PRECONDITION",
      INVALID_STATE_TRANSITION: "FAILED_PRECONDITION",
      CONCURRENCY_CONFLICT: "ABORTED",
      SOMETHING_NEW: "FAILED_PRECONDITION",
    })
  })

  it("keeps a GrpcStatusError as it is and records the domain code otherwise", () => {
    const explicit = new GrpcStatusError({ status: "UNAUTHENTICATED", message: "no token" })
    expect(toGrpcStatusError(explicit)).toBe(explicit)
    expect(toGrpcStatusError(new InvalidWireMessage({ messageType: "TaskRequest", reason: "x" }))).toEqual(
      new GrpcStatusError({
        status: "INVALID_ARGUMENT",
        message: "invalid TaskRequest: x",
        errorCode: "INVALID_WIRE_MESSAGE",
      }),
    )
  })
})

describe("protobuf times", () => {
  it("converts durations and timestamps without losing milliseconds", () => {
    expect(durationToProto("1500 millis")).toEqual({ seconds: 1, nanos: 500_000_000 })
    expect(durationToProto(Duration.infinity)).toEqual({ seconds: 315_576_000_000, nanos: 0 })
    expect(Duration.toMillis(durationFromProto({ seconds: 2, nanos: 250_000_000 }))).toBe(2250)
    expect(durationFromProto(undefined)).toEqual(Duration.zero)
    expect(timestampToMillis(timestampFromMillis(1_700_000_000_123))).toBe(1_700_000_000_123)
    expect(timestampToMillis(undefined)).toBeUndefined()
  })
})

describe("assignments and reports", () => {
  it.effect("an assignment survives encode → bytes → decode", () =>
    Effect.gen(function* () {
      const task = Schema.decodeUnknownSync(AssignedTask)({
        taskId: "t-1",
        experimentId: "e-1",
        key: "fit[2]",
        attempt: 3,
        handler: "noop",
        inputs: { a: "1" },
        outputs: { model: "model.bin" },
        environment: {},
        timeoutSeconds: 30,
      })
      const bytes = TaskAssignment.encode(encodeTaskAssignment(task, { dependencies: ["t-0"] })).finish()
      const wire = TaskAssignment.decode(bytes)
      expect(wire.dependencies).toEqual(["t-0"])
      expect(yield* decodeTaskAssignment(wire)).toEqual(task)
    }),
  )

  it.effect("an original scheduler's assignment falls back to its fields", () =>
    Effect.gen(function* () {
      const legacy = TaskAssignment.fromPartial({ taskId: "t-9", experimentId: "e-1", command: "./run.sh" })
      expect(yield* decodeTaskAssignment(legacy)).toEqual(
        Schema.decodeUnknownSync(AssignedTask)({
          taskId: "t-9",
          experimentId: "e-1",
          key: "t-9",
          attempt: 1,
          script: "./run.sh",
          inputs: {},
          outputs: {},
          environment: {},
        }),
      )
    }),
  )

  it.effect("an assignment without anything to run, or without ids, is an InvalidWireMessage", () =>
    Effect.gen(function* () {
      const nothing = yield* Effect.flip(
        decodeTaskAssignment(TaskAssignment.fromPartial({ taskId: "t", experimentId: "e" })),
      )
      expect(nothing.reason).toBe("neither execution_script, command nor handler")
      const noIds = yield* Effect.flip(
        decodeTaskAssignment(TaskAssignment.fromPartial({ executionScript: "true" })),
      )
      expect(noIds).toBeInstanceOf(InvalidWireMessage)
      expect(noIds.reason).toContain("taskId")
    }),
  )

  it.effect("a report survives encode → bytes → decode, exit code 0 included", () =>
    Effect.gen(function* () {
      const report = Schema.decodeUnknownSync(TaskReport)({
        taskId: "t-1",
        workerId: "w-1",
        attempt: 2,
        status: "COMPLETED",
        errors: [],
        exitCode: 0,
        outputs: { model: { path: "out/model.bin", size: 10, checksum: "0".repeat(64) } },
        metadata: { work_dir: "/tmp/w" },
      })
      const wire = TaskStatusUpdateRequest.decode(
        TaskStatusUpdateRequest.encode(encodeTaskStatusUpdate(report)).finish(),
      )
      expect(wire.outputs.model?.fileName).toBe("model.bin")
      expect(yield* decodeTaskStatusUpdate(wire)).toEqual(report)
    }),
  )

  it.effect("reports of CREATED, of unknown statuses or with bad checksums are InvalidWireMessages", () =>
    Effect.gen(function* () {
      const base = { taskId: "t-1", workerId: "w-1" }
      const created = yield* Effect.flip(decodeTaskStatusUpdate(TaskStatusUpdateRequest.fromPartial(base)))
      expect(created.reason).toContain("a worker cannot report CREATED")
      const unknown = yield* Effect.flip(decodeTaskStatusUpdate({ ...wireUpdateWithStatus(42), ...base }))
      expect(unknown.reason).toBe("unrecognized task status 42")
      const badChecksum = yield* Effect.flip(
        decodeTaskStatusUpdate(
          TaskStatusUpdateRequest.fromPartial({
            ...base,
            status: WireTaskStatus.TASK_STATUS_COMPLETED,
            outputs: { out: { path: "o", size: 1, checksum: "not-a-digest" } },
          }),
        ),
      )
      expect(badChecksum.reason).toContain("SHA-256")
    }),
  )
  // The common shape is checked by hand before the schema: both must accept and reject alike.
  const idLike = fc.oneof(
    fc.uuid(),
    fc.string({ maxLength: 8 }),
    fc.constant(" padded "),
    fc.constant("x".repeat(256)),
  )
  const wireReport = fc.record({
    taskId: idLike,
    workerId: idLike,
    attempt: fc.integer({ min: -1, max: 4 }),
    status: fc.integer({ min: 0, max: 8 }),
    message: fc.string({ maxLength: 4 }),
    errors: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    exitCode: fc.option(fc.integer({ min: -3, max: 300 }), { nil: undefined }),
    metadata: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  })

  it.prop("the hand check agrees with the TaskReport schema", { wire: wireReport }, ({ wire }) => {
    const request = TaskStatusUpdateRequest.fromPartial(wire)
    const checked = validateTaskStatusUpdate(request)
    const status = taskStatusFromProto(request.status)
    const reference = Schema.decodeUnknownEither(TaskReport)({
      taskId: request.taskId,
      workerId: request.workerId,
      attempt: request.attempt === 0 ? undefined : request.attempt,
      status: Option.getOrUndefined(status),
      message: request.message === "" ? undefined : request.message,
      errors: request.errors,
      exitCode: request.exitCode,
      outputs: {},
      metadata: request.metadata,
    })
    expect(Either.isRight(checked)).toBe(Either.isRight(reference))
    if (Either.isRight(checked) && Either.isRight(reference)) expect(checked.right).toEqual(reference.right)
  })
})
