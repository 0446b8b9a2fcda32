/**
 * Harness side of the worker line protocol: starts a TypeScript worker script as a separate Node
 * process (through vite-node, as the harness itself runs) and turns its stdout into a WorkerHandle.
 */
import { fileURLToPath } from "node:url"
import { Command } from "@effect/platform"
import { Deferred, Effect, Option, Stream } from "effect"
import { type BenchError, SystemFailed, WorkerExited } from "./BenchErrors.js"
import type { HandlerReport, WorkerHandle } from "./System.js"
import { decodeLine } from "./WorkerProtocol.js"

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const viteNode = fileURLToPath(new URL("../../node_modules/vite-node/vite-node.mjs", import.meta.url))

/**
 * Runs `script` (a file URL) in its own process with `env` added to ours; the process is stopped
 * (SIGTERM, then awaited) when the scope closes. Its stderr goes to ours.
 */
export const spawnWorker = (system: string, script: URL, env: Record<string, string>) =>
  Effect.gen(function* () {
    const command = Command.make(process.execPath, viteNode, fileURLToPath(script)).pipe(
      Command.workingDirectory(repoRoot),
      Command.env(env),
      Command.stderr("inherit"),
    )
    const child = yield* Command.start(command).pipe(
      Effect.mapError((e) => new SystemFailed({ system, operation: "start worker", reason: e.message })),
    )
    const ready = yield* Deferred.make<void, BenchError>()
    const report = yield* Deferred.make<HandlerReport, BenchError>()
    yield* child.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) =>
        Option.match(decodeLine(line), {
          onNone: () => Effect.void,
          onSome: (message) =>
            Effect.asVoid(
              message._tag === "Ready"
                ? Deferred.succeed(ready, undefined)
                : Deferred.succeed(report, message),
            ),
        }),
      ),
      Effect.ignore,
      // stdout closed: the process is gone, so whatever was not reported yet never will be.
      Effect.zipRight(
        Effect.all([
          Deferred.fail(ready, new WorkerExited({ system, waitingFor: "it was ready" })),
          Deferred.fail(report, new WorkerExited({ system, waitingFor: "it reported its jobs done" })),
        ]),
      ),
      Effect.forkScoped,
    )
    const handle: WorkerHandle = { ready: Deferred.await(ready), awaitAll: Deferred.await(report) }
    return handle
  })
