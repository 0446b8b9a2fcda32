/**
 * A whole scheduler for tests, in one process and on Effect's Clock: an in-memory PGlite Store, the
 * Dispatcher and LeaseReaper, the real Scheduler, and in-process workers running your handlers
 * (or scripts) through the TaskExecutor. Run it under TestClock (`it.effect`): leases, heartbeats,
 * retry backoff and attempt timeouts then move only when the test moves time, with `advance`, or
 * when `runToCompletion` jumps to the next retry.
 *
 * What it does not simulate: networks and worker processes (no gRPC, no reconnects), data staging,
 * several replicas. Scripts still run as real bash processes in real time.
 */
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { Clock, Context, Data, DateTime, Duration, Effect, Layer, Option, Random, TestClock } from "effect"
import { Dispatcher } from "../actors/Dispatcher.js"
import { isTerminalStatus } from "../actors/ExperimentWatch.js"
import { Scheduler, type SubmitError, type SubmitOptions } from "../actors/Scheduler.js"
import type { SpecSource } from "../actors/SpecSource.js"
import { SchedulerActorsLive } from "../api/SchedulerServer.js"
import type { EntityNotFound } from "../domain/Errors.js"
import { type ExperimentId, WorkerId } from "../domain/Ids.js"
import { activeTaskStatuses } from "../domain/Status.js"
import type { Task } from "../domain/Task.js"
import { StoreLive } from "../layers/store/StoreLive.js"
import { Store, type StoreService } from "../ports/Store.js"
import type { StoreUnavailable } from "../ports/StoreErrors.js"
import { type ExperimentSummary, TaskQuery } from "../ports/StoreModel.js"
import { ensureLocalDirectory } from "../programs/localDirectory.js"
import { TaskExecutor, type TaskHandler, TaskHandlers } from "../worker/executor/index.js"
import { startInProcessWorker, testCapabilities } from "./InProcessWorker.js"
import { ExperimentStuck } from "./TestErrors.js"

/** Where an experiment stands once nothing more happens without time passing. */
export type Settled = Data.TaggedEnum<{
  /** COMPLETED, FAILED or CANCELED. */
  Finished: { readonly summary: ExperimentSummary }
  /**
   * No attempt is running and nothing is claimable now. `until` is when the next queued task
   * becomes claimable (its retry backoff ends); none if nothing is scheduled (PAUSED, CREATED).
   */
  Waiting: { readonly summary: ExperimentSummary; readonly until: Option.Option<DateTime.Utc> }
}>
export const Settled = Data.taggedEnum<Settled>()

type ReadError = EntityNotFound | StoreUnavailable

export interface TestSchedulerService {
  /** Root of the attempt directories: `<workingDir>/<experimentId>/<taskKey>/attempt-<n>`. */
  readonly workingDir: string
  /** Moves the TestClock forward by `duration` and wakes the workers, so work that became due is claimed. */
  readonly advance: (duration: Duration.DurationInput) => Effect.Effect<void>
  /** Waits (on events, not time) until the experiment is finished or waits only on time. */
  readonly settle: (id: ExperimentId) => Effect.Effect<Settled, ReadError>
  /** Drives an experiment to its end, jumping the clock to each retry's time when nothing else can run. */
  readonly drive: (id: ExperimentId) => Effect.Effect<ExperimentSummary, ReadError | ExperimentStuck>
  /** Submits `source`, then `drive`s it. */
  readonly runToCompletion: (
    source: SpecSource,
    options?: SubmitOptions,
  ) => Effect.Effect<ExperimentSummary, SubmitError | ReadError | ExperimentStuck>
}

export interface TestSchedulerOptions {
  /** Handlers the workers run, besides the built-in `noop` and `sleep`. */
  readonly handlers?: TaskHandlers | Readonly<Record<string, TaskHandler>>
  /** In-process workers; default 1. */
  readonly workers?: number
  /** Attempts each worker runs at once; default 4. */
  readonly slots?: number
  /** Root of the attempt directories; default a temporary directory removed afterwards. */
  readonly workingDir?: string
  /** Lease length; default 30 seconds. */
  readonly leaseDuration?: Duration.DurationInput
  /** Worker heartbeat period; default 10 seconds. */
  readonly heartbeatInterval?: Duration.DurationInput
  /** Limit of attempts whose task sets no timeout; default none. */
  readonly taskTimeout?: Duration.DurationInput
  /** Seed of Effect's Random for everything the harness runs (retry jitter included); default "airavata". */
  readonly seed?: string | number
}

const temporaryDirectory = Effect.acquireRelease(
  Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "airavata-test-"))),
  (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true })),
)

/** Every QUEUED task of the experiment (paged). */
const queuedTasks = (store: StoreService, id: ExperimentId) =>
  Effect.gen(function* () {
    const tasks: Array<Task> = []
    let cursor: string | undefined
    do {
      const page = yield* store
        .listTasks(
          TaskQuery.make({ experimentId: id, status: "QUEUED", limit: 1000, ...(cursor ? { cursor } : {}) }),
        )
        .pipe(Effect.catchTag("InvalidInput", Effect.die))
      tasks.push(...page.tasks)
      cursor = page.next
    } while (cursor !== undefined)
    return tasks
  })

const make = (workingDir: string) =>
  Effect.gen(function* () {
    const store = yield* Store
    const dispatcher = yield* Dispatcher
    const scheduler = yield* Scheduler
    // Sessions claim on any TasksReady; an empty id list means "look at everything".
    const nudge = dispatcher.publish({ _tag: "TasksReady", experimentIds: [] })

    const advance = (duration: Duration.DurationInput) =>
      Effect.gen(function* () {
        yield* TestClock.adjust(duration)
        yield* nudge
      })

    const settle = (id: ExperimentId): Effect.Effect<Settled, ReadError> =>
      Effect.scoped(
        Effect.gen(function* () {
          const changes = yield* dispatcher.subscribe
          let nudged = false
          for (;;) {
            // Counts before the summary: the last report finishes the experiment in its own
            // transaction, so counts showing nothing left imply a summary read after them is final.
            const counts = yield* store.countTasks(id)
            const summary = yield* store.getExperiment(id)
            if (isTerminalStatus(summary.experiment.status)) return Settled.Finished({ summary })
            const running = activeTaskStatuses.reduce((n, status) => n + counts[status], 0)
            if (running === 0) {
              if (summary.experiment.status !== "EXECUTING")
                return Settled.Waiting({ summary, until: Option.none() })
              const queued = yield* queuedTasks(store, id)
              // Claimed or requeued since the counts were read: look again.
              if (queued.length !== counts.QUEUED) continue
              const now = yield* Clock.currentTimeMillis
              const times = queued.map((t) =>
                t.notBefore === undefined ? Number.NEGATIVE_INFINITY : DateTime.toEpochMillis(t.notBefore),
              )
              if (!times.some((t) => t <= now)) {
                const next = times.length === 0 ? Option.none() : Option.some(Math.min(...times))
                return Settled.Waiting({ summary, until: Option.map(next, (ms) => DateTime.unsafeMake(ms)) })
              }
              // Claimable now: make sure a session looks, once; its own reports keep it claiming.
              if (!nudged) yield* nudge
              nudged = true
            }
            yield* changes.take
          }
        }),
      ).pipe(Effect.withSpan("TestScheduler.settle"))

    const drive = (id: ExperimentId) =>
      Effect.gen(function* () {
        for (;;) {
          const settled = yield* settle(id)
          if (settled._tag === "Finished") return settled.summary
          const status = settled.summary.experiment.status
          if (Option.isNone(settled.until)) {
            return yield* new ExperimentStuck({
              experimentId: id,
              status,
              reason:
                status === "EXECUTING"
                  ? "no attempt is running and no queued task fits a test worker"
                  : `it is ${status}; resume or start it first`,
            })
          }
          const now = yield* Clock.currentTimeMillis
          yield* advance(Duration.millis(Math.max(0, DateTime.toEpochMillis(settled.until.value) - now)))
        }
      })

    const service: TestSchedulerService = {
      workingDir,
      advance,
      settle,
      drive,
      runToCompletion: (source, options) =>
        Effect.flatMap(scheduler.submit(source, options), (submitted) => drive(submitted.experiment.id)),
    }
    return service
  })

/** The harness's helpers; the Scheduler, Store and Dispatcher come with it. */
export class TestScheduler extends Context.Tag("airavata/testing/TestScheduler")<
  TestScheduler,
  TestSchedulerService
>() {
  /** Everything in memory, on Effect's Clock; see the module comment. Build it inside the test (TestClock). */
  static readonly layer = (options: TestSchedulerOptions = {}) => {
    const harness = Layer.scoped(
      TestScheduler,
      Effect.gen(function* () {
        const workingDir = options.workingDir ?? (yield* temporaryDirectory)
        const extra = options.handlers ?? {}
        const handlers = TaskHandlers.builtin.merge(
          extra instanceof TaskHandlers ? extra : TaskHandlers.make(extra),
        )
        const executor = TaskExecutor.layer({
          workingDir,
          handlers,
          ...(options.taskTimeout === undefined ? {} : { timeout: options.taskTimeout }),
        })
        yield* ensureLocalDirectory("default")
        const workers = Math.max(1, options.workers ?? 1)
        for (let i = 1; i <= workers; i++) {
          yield* startInProcessWorker({
            workerId: WorkerId.make(`test-worker-${i}`),
            slots: Math.max(1, options.slots ?? 4),
            workingDir,
            heartbeatInterval: options.heartbeatInterval ?? Duration.seconds(10),
            capabilities: testCapabilities,
          }).pipe(Effect.provide(executor))
        }
        return yield* make(workingDir)
      }),
    )
    const store = StoreLive.pglite(
      options.leaseDuration === undefined ? {} : { leaseDuration: options.leaseDuration },
    )
    // A fresh generator per build, so the same test sees the same jitter on every run.
    const random = Layer.unwrapEffect(
      Effect.sync(() => Layer.setRandom(Random.make(options.seed ?? "airavata"))),
    )
    return harness.pipe(
      Layer.provideMerge(Scheduler.layer()),
      Layer.provideMerge(SchedulerActorsLive()),
      Layer.provideMerge(store),
      Layer.provide(random),
    )
  }
}
