import { describe, expect, it } from "@effect/vitest"
import { Task } from "../../../src/domain/Task.js"
import { TaskAttempt } from "../../../src/domain/TaskAttempt.js"
import { ResourceUsage, TaskResult } from "../../../src/domain/TaskResult.js"
import { decodeFails, decodeOk, roundTrips, sha, t0, t1 } from "./decode.js"

const task = {
  id: "t1",
  experimentId: "e1",
  key: "run[0]",
  name: "run",
  index: 0,
  script: "echo $x",
  createdAt: t0,
  updatedAt: t0,
}
const leased = { ...task, status: "RUNNING", attempt: 1, leaseOwner: "w1", leaseExpiresAt: t1 }

describe("Task", () => {
  it("decodes a fresh task with defaults", () => {
    const decoded = decodeOk(Task, task)
    expect(decoded).toMatchObject({
      status: "CREATED",
      attempt: 0,
      priority: 5,
      pendingDependencies: 0,
      inputs: {},
      outputs: {},
      environment: {},
      inputFiles: [],
    })
    expect(decoded.retry.retries).toBe(3)
    roundTrips(Task, decoded)
  })

  it("decodes a leased task with inputs that reference upstream outputs", () => {
    const decoded = decodeOk(Task, {
      ...leased,
      inputs: { x: "1", data: { _tag: "OutputRef", task: "prep[0]", output: "out" } },
      inputFiles: [{ path: "in/a.dat", size: 10, checksum: sha, type: "input" }],
      requirements: { cpuCores: 4, walltime: "1:00:00" },
    })
    expect(decoded.inputs.data).toMatchObject({ _tag: "OutputRef", task: "prep[0]" })
    expect(decoded.requirements.walltime).toBe("1:00:00")
    roundTrips(Task, decoded)
  })

  it.each(["DATA_STAGING", "ENV_SETUP", "RUNNING", "OUTPUT_STAGING"])("requires a lease in %s", (status) => {
    decodeFails(
      Task,
      { ...task, status, attempt: 1 },
      "leaseOwner",
      `expected a lease owner for a task in ${status}`,
    )
  })

  it.each(["CREATED", "QUEUED", "COMPLETED", "FAILED", "CANCELED"])("forbids a lease in %s", (status) => {
    decodeFails(Task, { ...leased, status }, "leaseOwner", `expected no lease owner for a task in ${status}`)
  })

  it("requires lease owner and expiry together", () => {
    const { leaseExpiresAt: _, ...noExpiry } = leased
    decodeFails(Task, noExpiry, "leaseExpiresAt", "both set or both absent")
  })

  it("requires an attempt while leased", () => {
    decodeFails(Task, { ...leased, attempt: 0 }, "attempt", "expected an attempt ≥ 1 in RUNNING")
  })

  it("allows pending dependencies only before the task is queued", () => {
    expect(decodeOk(Task, { ...task, pendingDependencies: 2 }).pendingDependencies).toBe(2)
    decodeFails(
      Task,
      { ...task, status: "QUEUED", pendingDependencies: 1 },
      "pendingDependencies",
      "expected no pending dependencies in QUEUED",
    )
  })

  it("rejects a bad walltime, priority and checksum, naming the field", () => {
    decodeFails(
      Task,
      { ...task, requirements: { walltime: "5m" } },
      "walltime",
      'expected a walltime "H:MM:SS"',
    )
    decodeFails(Task, { ...task, priority: 11 }, "priority", "between 0 and 10")
    const message = decodeFails(
      Task,
      { ...task, inputFiles: [{ path: "a", size: 1, checksum: "abc", type: "input" }] },
      "checksum",
      "64 lowercase hex digits",
    )
    expect(message).toContain('["inputFiles"]')
  })
})

describe("TaskAttempt", () => {
  const attempt = { taskId: "t1", attempt: 1, workerId: "w1", startedAt: t0, status: "RUNNING" }

  it("decodes a live and an ended attempt", () => {
    expect(decodeOk(TaskAttempt, attempt).endedAt).toBeUndefined()
    const ended = decodeOk(TaskAttempt, {
      ...attempt,
      endedAt: t1,
      exitCode: 2,
      error: "boom",
      status: "FAILED",
    })
    expect(ended).toMatchObject({ exitCode: 2, status: "FAILED" })
    roundTrips(TaskAttempt, ended)
  })

  it("rejects attempt 0 and unknown statuses", () => {
    decodeFails(TaskAttempt, { ...attempt, attempt: 0 }, "attempt", "greater than or equal to 1")
    decodeFails(TaskAttempt, { ...attempt, status: "RETRYING" }, "status", '"QUEUED"')
  })
})

describe("TaskResult", () => {
  const result = { taskId: "t1", attempt: 1, success: true, durationMs: 1_500 }

  it("decodes with zeroed resource usage", () => {
    const decoded = decodeOk(TaskResult, result)
    expect(decoded.resourceUsage).toEqual(ResourceUsage.make({}))
    expect(decoded.resourceUsage.cpuSeconds).toBe(0)
    roundTrips(TaskResult, decoded)
  })

  it("requires an error when the attempt failed", () => {
    decodeFails(TaskResult, { ...result, success: false }, "error", "expected an error for a failed attempt")
    expect(decodeOk(TaskResult, { ...result, success: false, error: "exit 1" }).error).toBe("exit 1")
  })

  it("rejects negative usage and durations", () => {
    decodeFails(TaskResult, { ...result, resourceUsage: { cpuSeconds: -1 } }, "cpuSeconds", "non-negative")
    decodeFails(TaskResult, { ...result, durationMs: -5 }, "durationMs", "non-negative")
  })
})
