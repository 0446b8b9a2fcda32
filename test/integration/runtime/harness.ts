/**
 * Composes the real runtime in-process for the fault tests: a scheduler replica on a loopback port,
 * real `airavata worker` processes started through the local compute provider (they run the built
 * CLI, so `npm run build` must have run), experiments submitted from YAML, and waits on store state
 * that poll with a bound instead of sleeping.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Duration, Effect, Option, Ref, Schema } from "effect"
import { startSchedulerReplica } from "../../../src/api/SchedulerServer.js"
import type { ExperimentId, TaskId, WorkerId } from "../../../src/domain/Ids.js"
import { loadSpec } from "../../../src/domain/spec/index.js"
import * as LocalCompute from "../../../src/layers/compute/local/LocalCompute.js"
import { startLocalPilots } from "../../../src/layers/compute/local/startLocalPilots.js"
import { Compute, type PilotHandle } from "../../../src/ports/Compute.js"
import { Store } from "../../../src/ports/Store.js"
import { TaskQuery } from "../../../src/ports/StoreModel.js"
import { ensureLocalDirectory, LOCAL_COMPUTE } from "../../../src/programs/localDirectory.js"
import { registerWorkerWithToken } from "../../../src/programs/registerWorker.js"
import { submitExperiment } from "../../../src/programs/submitExperiment.js"
import { TaskExecutor, TaskHandlers } from "../../../src/worker/executor/index.js"
import type { Prefetch } from "../../../src/worker/PrefetchWindow.js"
import { runWorker } from "../../../src/worker/WorkerRuntime.js"

/**
 * A temporary directory, removed with the scope — unless AIRAVATA_KEEP_TEST_DIRS is set, to read
 * the worker logs (`<dir>/pilots/*.log`) of a failed run.
 */
export const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), `airavata-${prefix}-`))),
    (dir) =>
      process.env.AIRAVATA_KEEP_TEST_DIRS
        ? Effect.logInfo(`kept ${dir}`)
        : Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })),
  )

/** The project the tests submit to (and the `local` compute resource the workers belong to). */
export const PROJECT = "runtime-tests"

/**
 * A scheduler replica on a free loopback port for the rest of the scope, after the local user,
 * project and compute resource exist (as `airavata run` does).
 */
export const startReplica = (
  options: {
    /** What workers are told to heartbeat at; default 1 s. */
    readonly heartbeatInterval?: Duration.DurationInput
  } = {},
) =>
  ensureLocalDirectory(PROJECT).pipe(
    Effect.zipRight(
      startSchedulerReplica({
        host: "127.0.0.1",
        port: 0,
        heartbeatInterval: Duration.decode(options.heartbeatInterval ?? "1 second"),
        defaultComputeResource: LOCAL_COMPUTE,
        // Expired leases are taken back within a quarter second.
        reapInterval: Duration.millis(250),
      }),
    ),
    Effect.orDie,
  )

export interface WorkersOptions {
  /** Worker ids are `<prefix>-1` … `<prefix>-<count>`. */
  readonly prefix: string
  readonly port: number
  readonly workingDir: string
  readonly slots?: number
  readonly handlersModule?: string
}

/**
 * Starts `count` real worker processes connected to the replica on `port`, each registered with its
 * own token first. They get SIGTERM, then SIGKILL after 3 s, when the scope closes.
 */
export const startWorkers = (count: number, options: WorkersOptions) =>
  startLocalPilots(count, {
    prefix: options.prefix,
    serverAddress: `127.0.0.1:${options.port}`,
    workingDir: options.workingDir,
    slots: options.slots ?? 1,
    heartbeatInterval: Duration.seconds(1),
    taskTimeout: Duration.hours(1),
    ...(options.handlersModule === undefined ? {} : { handlersModule: options.handlersModule }),
    token: (workerId) => registerWorkerWithToken(workerId, LOCAL_COMPUTE, options.slots ?? 1),
  }).pipe(Effect.provideServiceEffect(Compute, LocalCompute.make({ grace: "3 seconds" })), Effect.orDie)

/** SIGKILL to the worker process alone: no drain, no goodbye; the kernel closes its socket. */
export const killWorker = (handle: PilotHandle) =>
  Effect.sync(() => process.kill(Number(handle.jobId), "SIGKILL"))

/** Whether a process with this id exists (a zombie counts: its parent has not reaped it yet). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The process ids scripts wrote as `pid-*` files into `dir` (see the scripts of the tests). */
export const pidsIn = (dir: string): ReadonlyArray<number> =>
  Fs.readdirSync(dir)
    .filter((name) => name.startsWith("pid-"))
    .map((name) => Number(Fs.readFileSync(Path.join(dir, name), "utf8").trim()))
    .filter((pid) => Number.isSafeInteger(pid) && pid > 0)

/** Kills, when the scope closes, the process groups of scripts orphaned on purpose (a killed worker's task). */
export const killScriptsOnExit = (dir: string) =>
  Effect.addFinalizer(() =>
    Effect.sync(() => {
      for (const pid of pidsIn(dir)) {
        try {
          process.kill(-pid, "SIGKILL")
        } catch {
          // Already gone.
        }
      }
    }),
  )

/** Submits the YAML spec as the local user, started at once. */
export const submitYaml = (yaml: string) =>
  Effect.gen(function* () {
    const { userId, projectId } = yield* ensureLocalDirectory(PROJECT)
    const spec = yield* loadSpec(yaml, "test.yaml")
    return yield* submitExperiment(spec, { ownerId: userId, projectId })
  }).pipe(Effect.orDie)

/** A wait that ran out of time; `last` is what the probe saw last. */
export class NotReached extends Schema.TaggedError<NotReached>()("NotReached", {
  what: Schema.String,
  last: Schema.String,
}) {
  readonly code = "NOT_REACHED"
  override get message() {
    return `timed out waiting for ${this.what}; last seen: ${this.last}`
  }
}

/** Runs `probe` every 100 ms until `done` holds for its value, which it returns; fails after `timeout`. */
export const eventually = <A, E, R>(
  what: string,
  probe: Effect.Effect<A, E, R>,
  done: (value: A) => boolean,
  timeout: Duration.DurationInput = "60 seconds",
): Effect.Effect<A, E | NotReached, R> =>
  Effect.gen(function* () {
    const last = yield* Ref.make<Option.Option<A>>(Option.none())
    const loop: Effect.Effect<A, E, R> = Effect.flatMap(probe, (value) =>
      Ref.set(last, Option.some(value)).pipe(
        Effect.zipRight(
          done(value) ? Effect.succeed(value) : Effect.zipRight(Effect.sleep("100 millis"), loop),
        ),
      ),
    )
    const reached = yield* Effect.timeoutOption(loop, timeout)
    if (Option.isSome(reached)) return reached.value
    const seen = yield* Ref.get(last)
    return yield* new NotReached({
      what,
      last: Option.match(seen, { onNone: () => "nothing", onSome: show }),
    })
  })

const show = (value: unknown): string => {
  try {
    return JSON.stringify(value)?.slice(0, 2_000) ?? String(value)
  } catch {
    return String(value)
  }
}

/** The experiment's tasks (up to 1,000) in insertion order. */
export const tasksOf = (experimentId: ExperimentId) =>
  Effect.flatMap(Store, (store) => store.listTasks(TaskQuery.make({ experimentId, limit: 1000 }))).pipe(
    Effect.map((page) => page.tasks),
    Effect.orDie,
  )

/** A task and its attempts, oldest first. */
export const taskDetail = (taskId: TaskId) =>
  Effect.flatMap(Store, (store) => store.getTask(taskId)).pipe(Effect.orDie)

/** The experiment with its counters. */
export const experimentOf = (experimentId: ExperimentId) =>
  Effect.flatMap(Store, (store) => store.getExperiment(experimentId)).pipe(Effect.orDie)

/** Number of the experiment's tasks in each status. */
export const countsOf = (experimentId: ExperimentId) =>
  Effect.flatMap(Store, (store) => store.countTasks(experimentId)).pipe(Effect.orDie)

/** Waits for the experiment to reach `status`. */
export const awaitExperiment = (
  experimentId: ExperimentId,
  status: string,
  timeout?: Duration.DurationInput,
) =>
  eventually(
    `experiment ${experimentId} to be ${status}`,
    experimentOf(experimentId),
    (summary) => summary.experiment.status === status,
    timeout,
  )

/**
 * A sweep of `count` instances of one shell task that each touch `<markers>/started-<I>`, then wait
 * for `<markers>/gate` (openGate) before finishing.
 */
export const gatedSpec = (markers: string, name: string, count: number, retries?: number) => `
name: ${name}
parameters:
  I:
    type: int
tasks:
  step:
    command: |
      touch "${markers}/started-$I"
      while [ ! -e "${markers}/gate" ]; do sleep 0.05; done${retries === undefined ? "" : `\n    retries: ${retries}`}
    task_inputs:
      I: "1..${count}"
`

/** The instances of a gatedSpec that have started. */
export const startedIn = (markers: string) =>
  Fs.readdirSync(markers).filter((name) => name.startsWith("started-"))

/** Lets every instance of a gatedSpec finish. */
export const openGate = (markers: string) =>
  Effect.sync(() => Fs.writeFileSync(Path.join(markers, "gate"), ""))

/**
 * A one-slot worker runtime in this process (the built-in handlers, its directories under `work`)
 * connected to the replica on `port`, registered first; forked into the scope, so interrupting the
 * fiber is what SIGTERM is to `airavata worker`: it drains.
 */
export const inProcessWorker = (
  port: number,
  workerId: WorkerId,
  work: string,
  options: { readonly prefetch?: Prefetch; readonly drainTimeout?: Duration.DurationInput } = {},
) =>
  Effect.gen(function* () {
    const token = yield* registerWorkerWithToken(workerId, LOCAL_COMPUTE, 1).pipe(Effect.orDie)
    return yield* runWorker({
      serverAddress: `127.0.0.1:${port}`,
      workerId,
      workingDir: work,
      heartbeatInterval: Duration.seconds(1),
      slots: 1,
      ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }),
      token,
      handlers: TaskHandlers.builtin,
      graceMs: 1_000,
      drainTimeout: Duration.decode(options.drainTimeout ?? "5 seconds"),
      capabilities: { cpuCores: 1, memoryMB: 1024, diskGB: 0, gpus: 0 },
    }).pipe(Effect.provide(TaskExecutor.layer({ workingDir: work })), Effect.forkScoped)
  })
