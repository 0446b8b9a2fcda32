import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { AssignedTask } from "../../../src/api/grpc/AssignedTask.js"
import { taskStatusFromProto } from "../../../src/api/grpc/index.js"
import { TaskExecutor } from "../../../src/worker/executor/TaskExecutor.js"
import type { Outgoing } from "../../../src/worker/Outbox.js"
import { runAssignment } from "../../../src/worker/runAssignment.js"
import { tempDir } from "./helpers.js"

const assignment = (fields: Partial<typeof AssignedTask.Encoded> = {}) =>
  Schema.decodeUnknownSync(AssignedTask)({
    taskId: "task-1",
    experimentId: "exp_1",
    key: "step[0]",
    attempt: 1,
    handler: "noop",
    inputs: {},
    outputs: {},
    environment: {},
    ...fields,
  })

/** Runs the assignment on a real executor and returns the statuses it reported, with their messages. */
const statuses = (task: AssignedTask) =>
  Effect.gen(function* () {
    const workingDir = yield* tempDir
    const sent: Array<Outgoing> = []
    yield* runAssignment(
      task,
      {},
      {
        workerId: "worker-1",
        workingDir,
        offer: (item) => Effect.sync(() => sent.push(item)),
        cancel: Effect.never,
      },
    ).pipe(Effect.provide(TaskExecutor.layer({ workingDir })))
    return sent.flatMap((item) =>
      item._tag === "Status"
        ? [[Option.getOrUndefined(taskStatusFromProto(item.update.status)), item.update.message]]
        : [],
    )
  })

describe("runAssignment", () => {
  it.scoped("reports RUNNING then COMPLETED for a handler task", () =>
    Effect.gen(function* () {
      const reported = yield* statuses(assignment())
      expect(reported).toEqual([
        ["RUNNING", ""],
        ["COMPLETED", 'handler "noop" succeeded'],
      ])
    }),
  )

  it.scoped("reports FAILED, without running it, a task whose bindings a process cannot carry", () =>
    Effect.gen(function* () {
      const reported = yield* statuses(assignment({ inputs: { "A=B": "1" } }))
      expect(reported).toHaveLength(1)
      expect(reported[0]?.[0]).toBe("FAILED")
      expect(reported[0]?.[1]).toMatch(/^task task-1 cannot run: .*A=B/s)
    }),
  )
})
