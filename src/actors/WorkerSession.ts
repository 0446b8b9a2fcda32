/**
 * One WorkerSession per connected worker stream. It claims through the Store as many tasks as
 * the worker has credits for, pushes them, applies the worker's reports and output in batches,
 * extends leases on heartbeats, and tells the worker to drop attempts whose lease is gone. When
 * the stream ends, for whatever reason, the worker's in-flight tasks are requeued at once.
 */
import {
  Cause,
  Clock,
  DateTime,
  Deferred,
  Duration,
  Effect,
  Either,
  FiberSet,
  Option,
  Queue,
  Stream,
} from "effect"
import type { Attempt, TaskId, WorkerId } from "../domain/Ids.js"
import { Store } from "../ports/Store.js"
import type { StoreUnavailable } from "../ports/StoreErrors.js"
import {
  type ClaimedTask,
  Lease,
  type LogChunk,
  type ReportOutcome,
  type TaskReport,
} from "../ports/StoreModel.js"
import { Dispatcher } from "./Dispatcher.js"
import { type SessionInput, SessionOutput } from "./SessionMessages.js"

export interface WorkerSessionOptions {
  /** Most tasks claimed in one statement. */
  readonly claimBatch?: number
  /** Fallback poll when no change notification arrives. */
  readonly pollInterval?: Duration.DurationInput
}

interface InFlight {
  readonly attempt: Attempt
  readonly experimentId: string
}

const batchSize = 512

/** Report outcomes after which the worker no longer holds the attempt. */
const released: ReadonlySet<string> = new Set(["COMPLETED", "FAILED", "QUEUED", "CANCELED"])

/** Queued work, or a marker completed once everything queued before it has been applied. */
type Item<A> =
  | { readonly _tag: "Item"; readonly value: A }
  | { readonly _tag: "Flushed"; readonly done: Deferred.Deferred<void> }
const items = <A>(values: ReadonlyArray<A>): ReadonlyArray<Item<A>> =>
  values.map((value) => ({ _tag: "Item", value }))
const valuesOf = <A>(batch: Iterable<Item<A>>): Array<A> =>
  [...batch].flatMap((i) => (i._tag === "Item" ? [i.value] : []))
const markersOf = <A>(batch: Iterable<Item<A>>) =>
  [...batch].flatMap((i) => (i._tag === "Flushed" ? [i.done] : []))

/** Runs the session for `workerId` over the worker's messages; emits what to send back. */
export const runWorkerSession = (
  workerId: WorkerId,
  sessionId: string,
  incoming: Stream.Stream<SessionInput, StoreUnavailable>,
  options: WorkerSessionOptions = {},
): Stream.Stream<SessionOutput, StoreUnavailable, Store | Dispatcher> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const store = yield* Store
      const dispatcher = yield* Dispatcher
      const claimBatch = options.claimBatch ?? 256
      const pollInterval = options.pollInterval ?? Duration.seconds(2)

      const out = yield* Queue.unbounded<SessionOutput>()
      const reports = yield* Queue.unbounded<Item<TaskReport>>()
      const chunks = yield* Queue.unbounded<Item<LogChunk>>()
      const kick = yield* Queue.sliding<void>(1)
      const wakeUps = yield* FiberSet.make()
      // The worker's attempts by task. A plain Map: only this session's fibers touch it, and no
      // update spans a suspension (per-task HashMap updates were a measurable share of the CPU).
      const inFlight = new Map<TaskId, InFlight>()

      yield* store.workerSeen(workerId, sessionId).pipe(Effect.orDie)
      // Whatever ends the session (clean close, crash, interruption), the worker's tasks go back now.
      yield* Effect.addFinalizer(() =>
        Effect.all([store.releaseWorker(workerId), store.markDisconnected(workerId)]).pipe(
          Effect.tap(([revoked]) =>
            revoked.requeued.length + revoked.failed.length > 0
              ? Effect.logInfo(`worker ${workerId} left; released ${revoked.requeued.length} task(s)`)
              : Effect.void,
          ),
          Effect.catchAllCause((cause) => Effect.logWarning(`releasing worker ${workerId} failed`, cause)),
        ),
      )

      const cancel = (lease: Lease, reason: string) =>
        Effect.suspend(() => {
          inFlight.delete(lease.taskId)
          return out.offer(SessionOutput.Cancel({ taskId: lease.taskId, attempt: lease.attempt, reason }))
        })

      const assign = (tasks: ReadonlyArray<ClaimedTask>) =>
        Effect.suspend(() => {
          for (const task of tasks) {
            inFlight.set(task.taskId, { attempt: task.attempt, experimentId: task.experimentId })
          }
          return out.offer(SessionOutput.Assign({ tasks }))
        })

      // Uninterruptible: a claim the session stopped waiting for would still commit at the database,
      // possibly after the finalizer released the worker's tasks, and what it leased would then wait
      // out its lease. So the session ends after its claim, and the finalizer releases that too.
      const claim = (max: number) =>
        Effect.uninterruptible(store.claim(workerId, max)).pipe(
          Effect.catchTags({
            EntityNotFound: Effect.die,
            // Draining or terminated: the worker finishes what it has and gets nothing new.
            WorkerUnavailable: (e) => Effect.logInfo(e.message).pipe(Effect.zipRight(Effect.never)),
          }),
        )

      // Set when a claim came back short: nothing more was claimable then. Credits coming back do
      // not warrant another claim until news that work may be ready (a notification, a report
      // that may have unblocked tasks) or the fallback poll; an idle worker's every completion
      // would otherwise cost a claim that finds nothing. News that arrives while a claim is in
      // flight keeps it from counting as drained (`news` changed). Only this session's fibers
      // touch these.
      let drained = false
      let news = 0
      const wake = (workMayBeReady: boolean) =>
        Effect.suspend(() => {
          if (workMayBeReady) {
            drained = false
            news++
          }
          return kick.offer(undefined)
        })

      // The worker's free slots (its credits) not taken by a claim in flight or a submission's
      // reservation: both take theirs up front and give back what they did not fill.
      let free = 0

      // Claims whenever the worker has credits and work may be ready.
      const claimLoop = Effect.gen(function* () {
        for (;;) {
          if (free > 0 && !drained) {
            const asked = Math.min(free, claimBatch)
            free -= asked
            const before = news
            const claimed = yield* claim(asked)
            free += asked - claimed.length
            drained = claimed.length < asked && news === before
            if (claimed.length > 0) yield* assign(claimed)
            if (!drained) continue
          }
          yield* kick.take
        }
      }).pipe(Effect.withSpan("WorkerSession.claimLoop"))

      // Set as `out` shuts down: a delivery after that would be lost (and offering to it interrupts).
      let ended = false
      const close = Effect.suspend(() => {
        ended = true
        return out.shutdown
      })

      // A submission in this process may fill slots of a session whose claims ran dry (the
      // Dispatcher's reserveSlots), so what it submits starts without a NOTIFY and a claim. Only
      // then: while work is waiting in the queue, it goes first.
      yield* dispatcher.offerSlots(sessionId, {
        workerId,
        reserve: (max) => {
          if (ended || !drained || free === 0) return 0
          const taken = Math.min(max, free)
          free -= taken
          return taken
        },
        deliver: (tasks, reserved) =>
          Effect.suspend(() => {
            if (ended) return Effect.succeed(false)
            free += reserved - tasks.length
            return (tasks.length > 0 ? assign(tasks) : Effect.void).pipe(
              Effect.zipRight(kick.offer(undefined)),
              Effect.as(true),
            )
          }),
      })
      // Runs before the finalizer above releases the worker's tasks: a delivery after this fails,
      // and its submitter hands the leases back itself.
      yield* Effect.addFinalizer(() => close)

      // The fallback poll: a claim now and then even without news (a timeout on every wait above
      // forked a fiber per claim).
      const fallbackPoll = Effect.sleep(pollInterval).pipe(
        Effect.zipRight(
          Effect.suspend(() => {
            drained = false
            return kick.offer(undefined)
          }),
        ),
        Effect.forever,
      )

      // A failed attempt requeued with backoff becomes claimable at `notBefore`, when no NOTIFY
      // fires: wake this process's sessions then instead of at their next fallback poll.
      const wakeForRetries = (results: ReadonlyArray<Either.Either<ReportOutcome, unknown>>) => {
        const retries = results.flatMap((r) =>
          Either.isRight(r) && r.right.status === "QUEUED" && r.right.notBefore !== undefined
            ? [DateTime.toEpochMillis(r.right.notBefore)]
            : [],
        )
        if (retries.length === 0) return Effect.void
        const at = Math.min(...retries)
        return Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) => Effect.sleep(Duration.millis(Math.max(0, at - now)))),
          Effect.zipRight(dispatcher.publish({ _tag: "TasksReady", experimentIds: [] })),
          FiberSet.run(wakeUps),
        )
      }

      const applyReports = Effect.gen(function* () {
        for (;;) {
          const batch = yield* reports.takeBetween(1, batchSize)
          const pending = valuesOf(batch)
          const results = pending.length > 0 ? yield* store.reportMany(pending) : []
          for (const [i, result] of results.entries()) {
            const report = pending[i]
            if (report === undefined) continue
            if (Either.isLeft(result)) {
              yield* Effect.logWarning(`rejected report from ${workerId}: ${result.left.message}`)
              yield* cancel(report, result.left.message)
            } else if (released.has(result.right.status)) {
              inFlight.delete(report.taskId)
            }
          }
          // A report that may have released dependants or requeued a task: look again without
          // waiting for the NOTIFY; the Credits that come with completions only kick a claim that
          // has not run dry.
          yield* wake(results.some((r) => Either.isRight(r) && r.right.unblocks === true))
          yield* wakeForRetries(results)
          yield* Effect.forEach(markersOf(batch), (done) => Deferred.succeed(done, undefined))
        }
      })

      const applyOutput = Effect.gen(function* () {
        for (;;) {
          const batch = yield* chunks.takeBetween(1, batchSize * 4)
          const pending = valuesOf(batch)
          if (pending.length > 0) {
            yield* store
              .appendLogs(pending)
              .pipe(
                Effect.catchTag("EntityNotFound", (e) => Effect.logWarning(`dropped output: ${e.message}`)),
              )
          }
          yield* Effect.forEach(markersOf(batch), (done) => Deferred.succeed(done, undefined))
        }
      })

      const heartbeat = (leases: ReadonlyArray<Lease>) =>
        store.heartbeat(workerId, leases).pipe(
          Effect.flatMap((result) =>
            Effect.forEach(result.stale, (lease) => cancel(lease, "lease no longer held"), { discard: true }),
          ),
          Effect.catchTag("EntityNotFound", Effect.die),
        )

      // A change on another replica (cancel from the CLI) must reach workers now, not at the next heartbeat.
      const watchChanges = Effect.scoped(
        Effect.gen(function* () {
          const changes = yield* dispatcher.subscribe
          for (;;) {
            const change = yield* changes.take
            if (change._tag === "TasksReady") yield* wake(true)
            if (change._tag !== "ExperimentChanged") continue
            const mine = [...inFlight]
              .filter(([, f]) => f.experimentId === change.experimentId)
              .map(([taskId, f]) => Lease.make({ taskId, attempt: f.attempt }))
            if (mine.length === 0) continue
            if (change.status === "CANCELED") yield* heartbeat(mine)
            // Paused: what the worker holds but has not started goes back to the queue, refunded,
            // and the worker drops it; what runs finishes.
            if (change.status === "PAUSED") {
              const back = yield* store.handBack(workerId, mine)
              yield* Effect.forEach(back, (lease) => cancel(lease, "experiment paused"), { discard: true })
            }
          }
        }),
      )

      const handle = (input: SessionInput) => {
        switch (input._tag) {
          case "Credits":
            return Effect.suspend(() => {
              free += Math.max(0, input.credits)
              return wake(false)
            })
          case "Reports":
            return reports.offerAll(items(input.reports))
          case "Output":
            return chunks.offerAll(items(input.chunks))
          case "Heartbeat":
            return heartbeat(input.leases)
          case "HandBack":
            return store.handBack(workerId, input.leases).pipe(
              Effect.tap((back) =>
                Effect.sync(() => {
                  for (const lease of back) inFlight.delete(lease.taskId)
                }),
              ),
            )
        }
      }

      // Background fibers end with the session's scope. A failure or a defect in any of them ends
      // the session (its tasks are released by the finalizer above) instead of leaving a worker
      // connected to a session that no longer claims or applies reports: the first one is kept and
      // shuts `out` down, and the stream then fails with it. (Not a merge of `out` with a stream of
      // failures: a merge forks a fiber for every element it pulls.)
      const failed = yield* Deferred.make<never, StoreUnavailable>()
      const supervise = <A>(effect: Effect.Effect<A, StoreUnavailable>) =>
        effect.pipe(
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause)
              ? Effect.void
              : Effect.flatMap(Deferred.failCause(failed, cause), (first) =>
                  first
                    ? Effect.logError(`worker session ${workerId} ended`, cause).pipe(Effect.zipRight(close))
                    : Effect.void,
                ),
          ),
          Effect.forkScoped,
        )
      yield* supervise(claimLoop)
      yield* supervise(applyReports)
      yield* supervise(applyOutput)
      yield* supervise(watchChanges)
      yield* supervise(fallbackPoll)
      yield* supervise(
        incoming.pipe(
          Stream.runForEach(handle),
          // The worker closed its side: apply what it sent, then end the session.
          Effect.zipRight(Effect.all([flushed(reports), flushed(chunks)])),
          Effect.ensuring(close),
        ),
      )
      return Stream.fromQueue(out).pipe(
        Stream.concat(
          Stream.unwrap(
            Effect.map(
              Deferred.poll(failed),
              Option.match({ onNone: () => Stream.empty, onSome: (failure) => Stream.fromEffect(failure) }),
            ),
          ),
        ),
      )
    }),
  )

/** Completes once everything offered to `queue` before the call has been applied. */
const flushed = <A>(queue: Queue.Queue<Item<A>>) =>
  Effect.gen(function* () {
    const done = yield* Deferred.make<void>()
    yield* queue.offer({ _tag: "Flushed", done })
    yield* Deferred.await(done)
  })
