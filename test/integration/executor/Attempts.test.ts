/** A worker's attempts: at most `slots` run; prefetched ones wait, and a wait can be canceled. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { taskStatusFromProto, WorkerProto } from "../../../src/api/grpc/index.js"
import { makeAttempts } from "../../../src/worker/Attempts.js"
import { TaskExecutor } from "../../../src/worker/executor/TaskExecutor.js"
import type { Outgoing } from "../../../src/worker/Outbox.js"
import { tempDir } from "./helpers.js"

const sleeping = (taskId: string, attempt = 1): WorkerProto.ServerMessage => ({
  message: {
    $case: "taskAssignment",
    value: WorkerProto.TaskAssignment.fromPartial({
      taskId,
      experimentId: "exp_1",
      taskKey: `${taskId}[0]`,
      attempt,
      handler: "sleep",
      inputs: { ms: "1000" },
    }),
  },
})

const cancel = (taskId: string, attempt = 1): WorkerProto.ServerMessage => ({
  message: {
    $case: "taskCancellation",
    value: WorkerProto.TaskCancellation.fromPartial({ taskId, attempt, reason: "test" }),
  },
})

describe("worker attempts", () => {
  it.scoped("runs at most `slots` at once; one canceled while waiting for a slot never runs", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      yield* body(workingDir).pipe(Effect.provide(TaskExecutor.layer({ workingDir })))
    }),
  )

  it.scoped(
    "cancellations are fenced by attempt (0: whatever runs); a canceled attempt reports nothing",
    () =>
      Effect.gen(function* () {
        const workingDir = yield* tempDir
        yield* fenced(workingDir).pipe(Effect.provide(TaskExecutor.layer({ workingDir })))
      }),
  )

  it.scoped("hands back waiting attempts, newest first, reported QUEUED, with no credit back", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      yield* Effect.gen(function* () {
        const { attempts, finished, reports, sent, settle } = yield* setup(workingDir, 1)
        for (const id of ["a", "b", "c", "d"]) yield* attempts.handle(sleeping(id))
        yield* settle(1)
        expect(attempts.waitingCount()).toBe(3)
        yield* attempts.handle(cancel("c"))
        expect(attempts.waitingCount()).toBe(2)

        expect(yield* attempts.handBack(5)).toBe(2)
        const back = sent.flatMap((item) => (item._tag === "Status" ? [item.update] : []))
        expect(reports()).toEqual(["a RUNNING", "d QUEUED", "b QUEUED"])
        expect(back.filter((u) => u.taskId === "d").map((u) => [u.attempt, u.message])).toEqual([
          [1, "handed back unstarted"],
        ])
        // The canceled wait counted its end; the handed-back ones did not.
        expect(finished).toEqual([3])
        expect(attempts.waitingCount()).toBe(0)
        expect((yield* attempts.active).map((x) => x.taskId)).toEqual(["a"])
        // Nothing waits any more: when "a" ends, no runner starts "b" or "d".
        yield* TestClock.adjust("1 second")
        yield* settle(4)
        expect(reports()).toEqual(["a RUNNING", "d QUEUED", "b QUEUED", "a COMPLETED"])
        expect(finished).toEqual([3, 0])
      }).pipe(Effect.provide(TaskExecutor.layer({ workingDir })))
    }),
  )

  it.scoped("an assignment it cannot run is refused: reported FAILED with the reason, its credit back", () =>
    Effect.gen(function* () {
      const workingDir = yield* tempDir
      yield* Effect.gen(function* () {
        const { attempts, finished, sent } = yield* setup(workingDir, 2)
        const unrunnable = (taskId: string): WorkerProto.ServerMessage => ({
          message: {
            $case: "taskAssignment",
            value: WorkerProto.TaskAssignment.fromPartial({ taskId, experimentId: "exp_1", attempt: 3 }),
          },
        })
        yield* attempts.handle(unrunnable("c"))
        const [status] = sent.flatMap((item) => (item._tag === "Status" ? [item.update] : []))
        expect([status?.taskId, status?.attempt]).toEqual(["c", 3])
        expect(Option.getOrUndefined(taskStatusFromProto(status?.status ?? 0))).toBe("FAILED")
        expect(status?.message).toContain("neither execution_script, command nor handler")
        // The slot was never taken: one end counted, nothing held.
        expect(finished).toEqual([0])
        expect(yield* attempts.active).toEqual([])

        // Without a usable task id there is nothing to report, but the credit still comes back.
        yield* attempts.handle(unrunnable(""))
        expect(sent.filter((item) => item._tag === "Status")).toHaveLength(1)
        expect(finished).toEqual([0, 0])
      }).pipe(Effect.provide(TaskExecutor.layer({ workingDir })))
    }),
  )
})

/** Attempts with `slots`, what they sent, and a way to let them run until `n` reports are in. */
const setup = (workingDir: string, slots: number) =>
  Effect.gen(function* () {
    const sent: Array<Outgoing> = []
    const finished: Array<number> = []
    const attempts = yield* makeAttempts({
      workerId: "worker-1",
      workingDir,
      slots,
      offer: (item) => Effect.sync(() => sent.push(item)),
      onFinished: (left) => Effect.sync(() => void finished.push(left)),
    })
    const reports = () =>
      sent.flatMap((item) =>
        item._tag === "Status"
          ? [`${item.update.taskId} ${Option.getOrUndefined(taskStatusFromProto(item.update.status))}`]
          : [],
      )
    // Attempts touch the file system: let the event loop turn until `n` reports are in (or give up).
    const turn = Effect.async<void>((resume) => {
      const handle = setImmediate(() => resume(Effect.void))
      return Effect.sync(() => clearImmediate(handle))
    })
    const settle = (n = reports().length) =>
      Effect.iterate(0, {
        while: (i) => i < 500 && reports().length < n,
        body: (i) => Effect.as(turn, i + 1),
      }).pipe(Effect.zipRight(Effect.forEach(Array.from({ length: 20 }), () => turn)))
    return { attempts, finished, reports, sent, settle }
  })

const fenced = (workingDir: string) =>
  Effect.gen(function* () {
    const { attempts, finished, reports, settle } = yield* setup(workingDir, 2)
    yield* attempts.handle(sleeping("a", 1))
    yield* attempts.handle(sleeping("b", 2))
    yield* settle(2)
    expect(reports().sort()).toEqual(["a RUNNING", "b RUNNING"])

    // Another attempt's cancellation leaves the running one alone.
    yield* attempts.handle(cancel("a", 2))
    yield* attempts.handle(cancel("b", 1))
    yield* settle()
    expect(finished).toEqual([])

    yield* attempts.handle(cancel("a", 1))
    yield* attempts.handle(cancel("b", 0))
    yield* settle()
    expect(finished).toEqual([1, 0])
    expect(yield* attempts.active).toEqual([])
    yield* TestClock.adjust("1 second")
    yield* settle()
    expect(reports().sort()).toEqual(["a RUNNING", "b RUNNING"])
  })

const body = (workingDir: string) =>
  Effect.gen(function* () {
    const { attempts, finished, reports, settle } = yield* setup(workingDir, 1)
    for (const id of ["a", "b", "c"]) yield* attempts.handle(sleeping(id))
    yield* settle(1)
    expect(reports()).toEqual(["a RUNNING"])
    expect((yield* attempts.active).map((a) => a.taskId).sort()).toEqual(["a", "b", "c"])

    yield* attempts.handle(cancel("c"))
    yield* settle()
    expect(finished).toEqual([2])
    expect(reports()).toEqual(["a RUNNING"])

    yield* TestClock.adjust("1 second")
    yield* settle(3)
    expect(reports()).toEqual(["a RUNNING", "a COMPLETED", "b RUNNING"])
    yield* TestClock.adjust("1 second")
    yield* settle(4)
    expect(reports()).toEqual(["a RUNNING", "a COMPLETED", "b RUNNING", "b COMPLETED"])
    expect(finished).toEqual([2, 1, 0])
  })
