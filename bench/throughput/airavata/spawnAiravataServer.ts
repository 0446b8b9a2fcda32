/**
 * Starts `airavata server` (the compiled CLI) on the trial's database, on a free loopback port: the
 * scheduler replica in a process of its own, as deployed with `airavata submit` and `airavata
 * worker`, instead of in the harness process. Yields the port from its "serving workers on
 * HOST:PORT" log line (its logs go to its stdout, which only this reads). The process is stopped
 * when the scope closes, before the trial's database is dropped.
 */
import { Command } from "@effect/platform"
import { Deferred, Duration, Effect, Stream } from "effect"
import { BenchTimeout, SystemFailed } from "../BenchErrors.js"
import { cli, nodeArgs, repoRoot } from "./airavataCli.js"

const serving = /serving workers on \S+:(\d+)/

export const spawnAiravataServer = (system: string, databaseUrl: string) =>
  Effect.gen(function* () {
    const command = Command.make(
      process.execPath,
      // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
      ...nodeArgs("BENCH_SERVER_NODE_ARGS"),
      cli,
      "server",
      ...["--host", "127.0.0.1", "--port", "0", "--heartbeat-interval", "2s"],
    ).pipe(
      Command.workingDirectory(repoRoot),
      Command.env({ DATABASE_URL: databaseUrl }),
      Command.stderr("inherit"),
    )
    const child = yield* Command.start(command).pipe(
      Effect.mapError((e) => new SystemFailed({ system, operation: "start server", reason: e.message })),
    )
    const port = yield* Deferred.make<number, SystemFailed>()
    yield* child.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) => {
        const match = serving.exec(line)
        return match === null ? Effect.void : Deferred.succeed(port, Number(match[1]))
      }),
      Effect.ignore,
      // stdout closed: the server is gone (if it never said where it serves, that is the failure).
      Effect.zipRight(
        Deferred.fail(
          port,
          new SystemFailed({ system, operation: "start server", reason: "the server process ended" }),
        ),
      ),
      Effect.forkScoped,
    )
    return yield* Deferred.await(port).pipe(
      Effect.timeoutFail({
        duration: Duration.seconds(60),
        onTimeout: () => new BenchTimeout({ system, operation: "server start", seconds: 60 }),
      }),
    )
  })
