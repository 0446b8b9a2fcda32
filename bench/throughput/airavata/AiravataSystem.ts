/**
 * Our scheduler as a benchmark system, composed as `airavata server` + `airavata worker` would be:
 * a scheduler replica (Store on the trial's PostgreSQL, Dispatcher, LeaseReaper, gRPC endpoint on
 * 127.0.0.1:0) in the harness process, and ONE real `airavata worker --slots 16` process that
 * connects to it over gRPC. Work is submitted as experiments through `submitExperiment`.
 *
 * - `airavata`: tasks run the in-process handler `bench` (benchHandlers.ts), which stamps start and
 *   end in the worker process and reports them on its stdout.
 * - `airavata-shell`: tasks run the script `true` (a process per task); times come from the Store.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Duration, Effect, Layer, Logger, LogLevel, Ref, type Scope } from "effect"
import { startSchedulerReplica } from "../../../src/api/SchedulerServer.js"
import type { ExperimentId } from "../../../src/domain/Ids.js"
import { WorkerId } from "../../../src/domain/Ids.js"
import type { ExperimentSpec } from "../../../src/domain/spec/index.js"
import { StoreLive } from "../../../src/layers/store/StoreLive.js"
import type { Store } from "../../../src/ports/Store.js"
import { addTasks, type OpenExperiment } from "../../../src/programs/addTasks.js"
import { ensureLocalDirectory, LOCAL_COMPUTE } from "../../../src/programs/localDirectory.js"
import { registerWorkerWithToken } from "../../../src/programs/registerWorker.js"
import { submitExperiment } from "../../../src/programs/submitExperiment.js"
import type { Prefetch } from "../../../src/worker/PrefetchWindow.js"
import { type BenchError, reasonOf, SystemFailed } from "../BenchErrors.js"
import type { System, SystemRun, WorkerHandle } from "../System.js"
import { benchTask, sweepSpec, type TaskKind, timedSpec } from "./benchSpecs.js"
import { buildHandlerModule } from "./buildHandlerModule.js"
import { spawnAiravataServer } from "./spawnAiravataServer.js"
import { spawnAiravataWorker } from "./spawnAiravataWorker.js"
import { awaitCompleted, awaitSession, failOnTaskFailure, reportFromStore } from "./storeObservations.js"
import { submitTimeInput } from "./workerContract.js"

/** Tasks in flight in the one worker, as for every peer (BENCHMARKS.md). */
const slots = 16

// The replica's info logs would interleave with the harness's progress lines on stdout. Spans are
// not recorded, as in the `airavata` CLI (src/cli/main.ts), whose server and submit this stands for.
const quiet = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning), Effect.withTracerEnabled(false))

/** A scratch working directory for the worker's attempt directories, removed with the scope. */
const workingDirectory = (system: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => mkdtempSync(join(tmpdir(), "bench-airavata-")),
      catch: (cause) => new SystemFailed({ system, operation: "working directory", reason: reasonOf(cause) }),
    }),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true })),
  )

/**
 * What a latency job is: a task added to an open experiment (`addTasks`, as a service feeding work
 * one task at a time would, and as a peer's job is a row added to its queue), or an experiment of
 * its own (a spec submitted per job).
 */
export type LatencyUnit = "task" | "experiment"

/** Where the scheduler replica runs: in the harness process, or as `airavata server` of its own. */
export type SchedulerPlacement = "in-process" | "server-process"

/**
 * Our scheduler, with tasks that run the `bench` handler (`airavata`) or `true` (`airavata-shell`).
 *
 * `prefetch`: the worker's `--prefetch`. "auto", its default, is what a user gets; 0 matches
 * graphile-worker's default (a job is fetched when a slot frees); 48 matches its batching
 * variant's local queue of 64 (16 running + 48 waiting).
 *
 * `placement`: "in-process" (the replica shares the harness process, which submits; as an
 * embedding application or `airavata run`), or "server-process" (`airavata server` in its own
 * process, the harness only submitting; as `airavata server` + `airavata submit`).
 */
export const airavataSystem = (
  kind: TaskKind,
  prefetch: Prefetch = "auto",
  placement: SchedulerPlacement = "in-process",
  unit: LatencyUnit = "task",
): System => {
  const suffix = prefetch === "auto" ? "" : prefetch === 0 ? "-no-prefetch" : "-prefetch"
  const where = placement === "in-process" ? "" : "-server"
  const per = unit === "task" ? "" : "-experiments"
  const name = `${kind === "handler" ? "airavata" : "airavata-shell"}${suffix}${where}${per}`
  const failed = (operation: string) => (cause: unknown) =>
    new SystemFailed({ system: name, operation, reason: reasonOf(cause) })

  const prepare = (databaseUrl: string) =>
    Effect.gen(function* () {
      const executor = yield* CommandExecutor
      const context = yield* Layer.build(StoreLive.postgres({ url: databaseUrl })).pipe(
        Effect.mapError(failed("start store")),
      )
      const inStore = <A, E>(operation: string, effect: Effect.Effect<A, E, Store>) =>
        effect.pipe(Effect.provide(context), Effect.mapError(failed(operation)), quiet)

      const { userId, projectId } = yield* inStore("directory", ensureLocalDirectory("bench"))
      // In process, submissions offer their tasks to the replica's idle sessions (reserveSlots),
      // as the library's Scheduler.submit does; `airavata submit` from another process cannot.
      const { port, reserveSlots } =
        placement === "server-process"
          ? {
              port: yield* spawnAiravataServer(name, databaseUrl).pipe(
                Effect.provideService(CommandExecutor, executor),
              ),
              reserveSlots: undefined,
            }
          : yield* startSchedulerReplica({
              host: "127.0.0.1",
              port: 0,
              heartbeatInterval: Duration.seconds(2),
              defaultComputeResource: LOCAL_COMPUTE,
            }).pipe(Effect.provide(context), Effect.mapError(failed("start scheduler")))
      const workerId = WorkerId.make(`bench-${process.pid}-${Date.now().toString(36)}`)
      const token = yield* inStore("register worker", registerWorkerWithToken(workerId, LOCAL_COMPUTE, slots))
      const handlersModule = kind === "handler" ? yield* buildHandlerModule(name) : undefined
      const workingDir = yield* workingDirectory(name)
      const submitted = yield* Ref.make<ReadonlyArray<ExperimentId>>([])

      // Experiment names are unique within a project: number them.
      const create = (spec: ExperimentSpec, open: boolean) =>
        Effect.flatMap(Ref.get(submitted), (ids) =>
          inStore(
            "submit",
            submitExperiment(spec, {
              ownerId: userId,
              projectId,
              name: `${spec.name}-${ids.length + 1}`,
              open,
              ...(reserveSlots === undefined ? {} : { reserveSlots }),
            }),
          ),
        ).pipe(Effect.tap((summary) => Ref.update(submitted, (ids) => [...ids, summary.experiment.id])))
      const submit = (spec: ExperimentSpec) => Effect.asVoid(create(spec, false))

      // Latency jobs as tasks added to one open experiment (as a service feeding work one task at a
      // time would), opened before any is measured; its template's `t` is replaced by each job's.
      const template = yield* timedSpec(name, kind, 0)
      const open: OpenExperiment = {
        id: (yield* create(template, true)).experiment.id,
        spec: template,
      }
      const addOne = (t: number) =>
        inStore(
          "add task",
          addTasks(open, [{ task: benchTask, inputs: { [submitTimeInput]: String(t) } }], {
            ...(reserveSlots === undefined ? {} : { reserveSlots }),
          }),
        ).pipe(Effect.asVoid)

      const startWorker = (expected: number): Effect.Effect<WorkerHandle, BenchError, Scope.Scope> =>
        Effect.gen(function* () {
          const child = yield* spawnAiravataWorker({
            system: name,
            serverAddress: `127.0.0.1:${port}`,
            workerId,
            token,
            workingDir,
            slots,
            prefetch,
            expected,
            handlersModule,
          }).pipe(Effect.provideService(CommandExecutor, executor))
          const guarded = <A>(waitingFor: string, effect: Effect.Effect<A, BenchError, Store>) =>
            Effect.raceFirst(effect.pipe(Effect.provide(context), quiet), child.exited(waitingFor)).pipe(
              Effect.raceFirst(failOnTaskFailure(name, workerId).pipe(Effect.provide(context))),
            )
          const finished =
            kind === "handler"
              ? child.report
              : Effect.zipRight(
                  awaitCompleted(name, workerId, expected),
                  Effect.flatMap(Ref.get(submitted), (ids) => reportFromStore(name, ids)),
                )
          const handle: WorkerHandle = {
            ready: guarded("it was ready", awaitSession(name, workerId)),
            awaitAll: guarded("it finished its tasks", finished),
          }
          return handle
        })

      const run: SystemRun = {
        // ONE experiment of `count` tasks: the unit a user submits. The Store inserts its tasks in
        // batches of its own, so `batchSize` has no counterpart here.
        enqueue: (count) => Effect.flatMap(sweepSpec(name, kind, count), submit),
        startWorker,
        submitOne: unit === "task" ? addOne : (t) => Effect.flatMap(timedSpec(name, kind, t), submit),
      }
      return run
    }).pipe(quiet)
  return { name, prepare }
}
