/**
 * Starts ONE real `airavata worker` process (the compiled CLI, `node bin/airavata.mjs worker`) that
 * connects to the harness's scheduler over gRPC. Its stdout carries both the worker's own log lines
 * and, when it loads the benchmark handler module, the `Report` line of the harness protocol; only
 * the latter decode (WorkerProtocol), the rest is ignored. The process is stopped (SIGTERM to its
 * process group, then awaited) when the scope closes.
 */
import { Command } from "@effect/platform"
import { Deferred, Effect, Option, Redacted, Stream } from "effect"
import type { Prefetch } from "../../../src/worker/PrefetchWindow.js"
import { type BenchError, SystemFailed, WorkerExited } from "../BenchErrors.js"
import type { HandlerReport } from "../System.js"
import { decodeLine } from "../WorkerProtocol.js"
import { cli, nodeArgs, repoRoot } from "./airavataCli.js"
import { expectedVariable, tokenVariable } from "./workerContract.js"

/** The flags and secrets of one worker process. */
export interface AiravataWorkerOptions {
  readonly system: string
  readonly serverAddress: string
  readonly workerId: string
  readonly token: Redacted.Redacted<string>
  readonly workingDir: string
  readonly slots: number
  /** `--prefetch`: assignments held beyond the slots, or "auto". */
  readonly prefetch: Prefetch
  /** Handler ends the handler module waits for before it reports. */
  readonly expected: number
  /** Bundled handler module (`--handlers`); none for shell tasks. */
  readonly handlersModule: string | undefined
}

/** A started worker process: its handler report (if it loads the module) and its end. */
export interface AiravataWorkerProcess {
  /** The handler module's report; fails with WorkerExited if the process ends first. */
  readonly report: Effect.Effect<HandlerReport, BenchError>
  /** Fails with WorkerExited once the process has ended (its stdout closed); never succeeds. */
  readonly exited: (waitingFor: string) => Effect.Effect<never, WorkerExited>
}

export const spawnAiravataWorker = (o: AiravataWorkerOptions) =>
  Effect.gen(function* () {
    const args = [
      // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker process.
      ...nodeArgs("BENCH_WORKER_NODE_ARGS"),
      cli,
      "worker",
      ["--server-address", o.serverAddress],
      ["--worker-id", o.workerId],
      ["--working-dir", o.workingDir],
      ["--slots", String(o.slots)],
      ["--prefetch", String(o.prefetch)],
      ["--drain-timeout", "5s"],
      o.handlersModule === undefined ? [] : ["--handlers", o.handlersModule],
    ].flat()
    const command = Command.make(process.execPath, ...args).pipe(
      Command.workingDirectory(repoRoot),
      // The token goes by environment, as `airavata worker` expects: `ps` would show a flag.
      Command.env({ [tokenVariable]: Redacted.value(o.token), [expectedVariable]: String(o.expected) }),
      Command.stderr("inherit"),
    )
    const child = yield* Command.start(command).pipe(
      Effect.mapError(
        (e) => new SystemFailed({ system: o.system, operation: "start worker", reason: e.message }),
      ),
    )
    const report = yield* Deferred.make<HandlerReport, BenchError>()
    const gone = yield* Deferred.make<void>()
    yield* child.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) =>
        Option.match(decodeLine(line), {
          onNone: () => Effect.void,
          onSome: (message) => (message._tag === "Report" ? Deferred.succeed(report, message) : Effect.void),
        }),
      ),
      Effect.ignore,
      // stdout closed: the process is gone, so whatever was not reported yet never will be.
      Effect.zipRight(
        Effect.all([
          Deferred.fail(
            report,
            new WorkerExited({ system: o.system, waitingFor: "it reported its tasks done" }),
          ),
          Deferred.succeed(gone, undefined),
        ]),
      ),
      Effect.forkScoped,
    )
    const handle: AiravataWorkerProcess = {
      report: Deferred.await(report),
      exited: (waitingFor) =>
        Effect.zipRight(
          Deferred.await(gone),
          Effect.fail(new WorkerExited({ system: o.system, waitingFor })),
        ),
    }
    return handle
  })
