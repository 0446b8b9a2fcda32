/**
 * The worker's CPU per no-op attempt, without gRPC or a scheduler: the real `makeAttempts` with the
 * `TaskExecutor` layer `airavata worker` provides, fed `ServerMessage`s carrying a
 * `taskAssignmentBatch` of handler tasks, at most slots + prefetch (16 + 48) outstanding as the
 * real worker keeps them: the next batch goes out as credits come back through `onFinished`. What
 * the attempts offer to the outbox leaves through the real `pumpOutbox` (hence `toMessages`) into
 * `WorkerMessage.encode(...).finish()`, so queueing and encoding statuses and credits count too.
 *
 * Prints attempts/s and CPU µs per attempt (`process.cpuUsage`, user + system, this process), each
 * round and best / median, after a warm-up. Run: `npx vite-node bench/worker/main.ts` (options:
 * --attempts N per round, default 20000; --rounds N, default 3; --warm-up N, default 5000;
 * --slots N, default 16; --prefetch N, default 48; --batch N largest assignment batch, default 64;
 * --min-batch N credits gathered before a batch is sent, default 16; --wire to also decode each
 * ServerMessage from protobuf bytes as the gRPC stream would; --handler NAME, default noop;
 * --dir PATH working directory root, default a fresh one under the OS temp directory, removed after).
 *
 * Profile: `node --cpu-prof --cpu-prof-dir=/tmp/wprof node_modules/vite-node/vite-node.mjs bench/worker/main.ts`.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Deferred, Effect, Option } from "effect"
import { taskStatusFromProto, WorkerProto } from "../../src/api/grpc/index.js"
import { makeAttempts } from "../../src/worker/Attempts.js"
import { TaskExecutor, TaskHandlers } from "../../src/worker/executor/index.js"
import { Outbox, pumpOutbox } from "../../src/worker/Outbox.js"
import { numberOption, stringOption } from "../argv.js"
import { runScript } from "../runScript.js"

const attemptsPerRound = numberOption("attempts", 20_000) || 20_000
const rounds = numberOption("rounds", 3) || 1
const warmUp = numberOption("warm-up", 5_000)
const slots = numberOption("slots", 16) || 16
const prefetch = numberOption("prefetch", 48)
const maxBatch = numberOption("batch", 64) || 64
const minBatch = Math.min(numberOption("min-batch", 16) || 1, maxBatch)
const wire = process.argv.includes("--wire")
const handler = stringOption("handler") ?? "noop"
const workerId = "bench-worker"

/** One round's assignments as the scheduler would send them (see toAssignment), built before measuring. */
const assignments = (round: string, count: number): Array<WorkerProto.TaskAssignment> =>
  Array.from({ length: count }, (_, i) =>
    WorkerProto.TaskAssignment.fromPartial({
      taskId: `task-${round}-${i}`,
      experimentId: `exp_bench-${round}`,
      taskKey: `bench[${i}]`,
      attempt: 1,
      handler,
      inputs: { I: String(i + 1) },
    }),
  )

const serverMessage = (batch: Array<WorkerProto.TaskAssignment>): WorkerProto.ServerMessage => ({
  message: { $case: "taskAssignmentBatch", value: { assignments: batch } },
})

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN
}

const root = stringOption("dir")
const workingDir = root ?? Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-worker-"))

const program = Effect.gen(function* () {
  // Credits come back one by one; the feeder sends a batch once `minBatch` of them are free.
  let free = 0
  let wake: Deferred.Deferred<void> | undefined
  // What the pump sent: summed credits end a round; every status must be RUNNING or COMPLETED.
  let creditsSent = 0
  let done: { readonly target: number; readonly deferred: Deferred.Deferred<void> } | undefined
  const unexpected: Array<string> = []
  let statusesSent = 0
  let messagesSent = 0
  let bytesSent = 0

  const send = (message: WorkerProto.WorkerMessage) =>
    Effect.suspend(() => {
      bytesSent += WorkerProto.WorkerMessage.encode(message).finish().length
      messagesSent++
      const m = message.message
      if (m?.$case === "taskStatusBatch") {
        statusesSent += m.value.updates.length
        for (const update of m.value.updates) {
          const status = Option.getOrUndefined(taskStatusFromProto(update.status))
          if (status !== "RUNNING" && status !== "COMPLETED")
            unexpected.push(`${update.taskId}: ${status} ${update.message}`)
        }
      } else if (m?.$case === "taskRequest") {
        creditsSent += m.value.credits
        if (done !== undefined && creditsSent >= done.target)
          return Deferred.succeed(done.deferred, undefined)
      }
      return Effect.void
    })

  const outbox = new Outbox()
  const offer = outbox.offer
  yield* pumpOutbox(workerId, outbox, send).pipe(
    // A broken send would otherwise stall the round silently.
    Effect.tapErrorCause(Effect.logError),
    Effect.forkScoped,
  )

  const attempts = yield* makeAttempts({
    workerId,
    workingDir,
    offer,
    slots,
    // As WorkerRuntime does (not draining): a credit per finished attempt.
    onFinished: () =>
      Effect.zipRight(
        offer({ _tag: "Credits", credits: 1 }),
        Effect.suspend(() => {
          free++
          if (free < minBatch || wake === undefined) return Effect.void
          const waiting = wake
          wake = undefined
          return Deferred.succeed(waiting, undefined)
        }),
      ),
  })

  const deliver = (message: WorkerProto.ServerMessage) =>
    attempts.handle(
      wire ? WorkerProto.ServerMessage.decode(WorkerProto.ServerMessage.encode(message).finish()) : message,
    )

  /**
   * Runs `all` through the worker as the scheduler would: a batch of min(free credits, --batch)
   * assignments once --min-batch credits are free (initially slots + prefetch); waits for the last credit.
   */
  const run = (name: string, count: number) =>
    Effect.gen(function* () {
      const all = assignments(name, count)
      const finished = yield* Deferred.make<void>()
      const cpuBefore = process.cpuUsage()
      const before = performance.now()
      done = { target: creditsSent + count, deferred: finished }
      free = slots + prefetch
      for (let next = 0; next < all.length; ) {
        const wanted = Math.min(minBatch, all.length - next)
        if (free < wanted) {
          const deferred = yield* Deferred.make<void>()
          wake = deferred
          yield* Deferred.await(deferred)
          continue
        }
        const size = Math.min(free, maxBatch, all.length - next)
        free -= size
        yield* deliver(serverMessage(all.slice(next, next + size)))
        next += size
      }
      yield* Deferred.await(finished)
      const seconds = (performance.now() - before) / 1000
      const cpu = process.cpuUsage(cpuBefore)
      if (unexpected.length > 0)
        return yield* Effect.dieMessage(`unexpected statuses: ${unexpected.slice(0, 5)}`)
      return { seconds, cpu }
    })

  console.log(
    `makeAttempts + TaskExecutor.layer, handler ${handler}, ${slots} slots + ${prefetch} prefetch, ` +
      `batches ≤ ${maxBatch} (sent at ≥ ${minBatch} credits)${wire ? ", decoded from bytes" : ""}, ` +
      `in ${workingDir}, node ${process.version}`,
  )
  if (warmUp > 0) yield* run("warm", warmUp)
  const rates: Array<number> = []
  const cpus: Array<number> = []
  for (let r = 1; r <= rounds; r++) {
    const statusesBefore = statusesSent
    const messagesBefore = messagesSent
    const bytesBefore = bytesSent
    const { seconds, cpu } = yield* run(`r${r}`, attemptsPerRound)
    const perAttempt = (cpu.user + cpu.system) / attemptsPerRound
    rates.push(attemptsPerRound / seconds)
    cpus.push(perAttempt)
    console.log(
      `round ${r}  ${attemptsPerRound} attempts  ${Math.round(attemptsPerRound / seconds)}/s  ` +
        `CPU ${perAttempt.toFixed(1)} µs/attempt (user ${Math.round(cpu.user / attemptsPerRound)}, ` +
        `system ${Math.round(cpu.system / attemptsPerRound)})  sent ${statusesSent - statusesBefore} statuses ` +
        `in ${messagesSent - messagesBefore} messages, ${bytesSent - bytesBefore} bytes`,
    )
  }
  console.log(
    `best / median of ${rounds}: ${Math.round(Math.max(...rates))} / ${Math.round(median(rates))} attempts/s, ` +
      `CPU ${Math.min(...cpus).toFixed(1)} / ${median(cpus).toFixed(1)} µs/attempt`,
  )
}).pipe(
  Effect.scoped,
  // The configuration of `airavata worker` with its default --task-timeout.
  Effect.provide(TaskExecutor.layer({ workingDir, timeout: "24 hours", handlers: TaskHandlers.builtin })),
)

// An attempt or the pump stuck on nothing would otherwise let node exit quietly with status 0.
process.on("beforeExit", () => {
  console.error("the event loop emptied before the benchmark finished")
  process.exit(1)
})

runScript(program, () => {
  if (root === undefined) Fs.rmSync(workingDir, { recursive: true, force: true })
})
