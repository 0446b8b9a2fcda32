/** Session outputs as the worker's stream messages: assignments are built as `fromPartial` would. */
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { SessionOutput } from "../../../src/actors/SessionMessages.js"
import { WorkerProto } from "../../../src/api/grpc/index.js"
import { toServerMessage, type UpstreamAttempt } from "../../../src/api/worker/toServerMessage.js"
import type { Attempt, ExperimentId, TaskId, WorkerId } from "../../../src/domain/Ids.js"
import { OutputRef } from "../../../src/domain/spec/ExpandedTask.js"
import type { ClaimedTask } from "../../../src/ports/StoreModel.js"

const upstreamId = "22222222-2222-4222-8222-222222222222" as TaskId

const claimed = (key: string, overrides: Partial<ClaimedTask> = {}): ClaimedTask => ({
  taskId: "11111111-1111-4111-8111-111111111111" as TaskId,
  experimentId: "exp_1" as ExperimentId,
  key,
  name: key.split("[")[0] ?? key,
  index: 0,
  attempt: 2 as Attempt,
  workerId: "w1" as WorkerId,
  script: "echo $X",
  inputs: { X: "1" },
  outputs: { result: "result.txt" },
  environment: { MODE: "fast" },
  upstream: {},
  cpuCores: 1,
  memoryMB: 64,
  diskGB: 0,
  gpus: 0,
  leaseExpiresAt: DateTime.unsafeMake(0),
  ...overrides,
})

const withRef = claimed("plot[0]", {
  inputs: { DATA: OutputRef.make({ task: "simulate[0]", output: "data" }), TITLE: "t" },
  upstream: { "simulate[0]": upstreamId },
  handler: "plot",
  timeoutSeconds: 30,
})

const lookups: Array<TaskId> = []
const upstreamOf = (id: TaskId) =>
  Effect.sync((): UpstreamAttempt => {
    lookups.push(id)
    return { key: "simulate[0]", attempt: 3, outputs: { data: "out/data.csv" } }
  })

/** The message as the wire carries it, and as it would be had every field gone through fromPartial. */
const wire = (m: WorkerProto.ServerMessage) => WorkerProto.ServerMessage.encode(m).finish()
const viaFromPartial = (m: WorkerProto.ServerMessage) => wire(WorkerProto.ServerMessage.fromPartial(m))

describe("toServerMessage", () => {
  it.effect("one task with value inputs: a taskAssignment carrying its inputs, outputs and environment", () =>
    Effect.gen(function* () {
      const message = yield* toServerMessage(SessionOutput.Assign({ tasks: [claimed("sim[0]")] }), upstreamOf)
      expect(message.message?.$case).toBe("taskAssignment")
      const value = message.message?.$case === "taskAssignment" ? message.message.value : undefined
      expect(value).toMatchObject({
        taskKey: "sim[0]",
        attempt: 2,
        executionScript: "echo $X",
        handler: "",
        inputs: { X: "1" },
        outputs: { result: "result.txt" },
        environment: { MODE: "fast" },
        inputRefs: {},
        dependencies: [],
      })
      expect(value?.timeout).toBeUndefined()
      expect(wire(message)).toEqual(viaFromPartial(message))
    }),
  )

  it.effect("a batch mixing both kinds keeps its order and resolves upstream outputs to input refs", () =>
    Effect.gen(function* () {
      lookups.length = 0
      const tasks = [claimed("sim[0]"), withRef, claimed("sim[1]")]
      const message = yield* toServerMessage(SessionOutput.Assign({ tasks }), upstreamOf)
      const batch = message.message?.$case === "taskAssignmentBatch" ? message.message.value.assignments : []
      expect(batch.map((a) => a.taskKey)).toEqual(["sim[0]", "plot[0]", "sim[1]"])
      expect(batch[1]).toMatchObject({
        handler: "plot",
        inputs: { TITLE: "t" },
        inputRefs: { DATA: { taskId: upstreamId, taskKey: "simulate[0]", attempt: 3, file: "out/data.csv" } },
        dependencies: [upstreamId],
        timeout: { seconds: 30, nanos: 0 },
      })
      expect(lookups).toEqual([upstreamId])
      expect(wire(message)).toEqual(viaFromPartial(message))
    }),
  )
})
