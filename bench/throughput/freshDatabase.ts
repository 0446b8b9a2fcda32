/**
 * An empty PostgreSQL database for one benchmark run (`bench_<random>` on the local server), dropped
 * with its connections when the scope closes, so every run starts from a wiped store.
 */
import { Console, Effect } from "effect"
import { scratchDatabase } from "../../test/scratchDatabase.js"
import { reasonOf, SystemFailed } from "./BenchErrors.js"

const server = process.env.BENCH_PG ?? "postgres://root@127.0.0.1:5432"

/** Creates `bench_<random>` and yields its URL; drops it when the scope closes. */
export const freshDatabase = scratchDatabase(
  { prefix: "bench", server },
  // A failed drop must not discard the figures already measured: say so and go on.
  (error, name) => Console.error(`could not drop ${name}: ${error.message}`),
).pipe(
  Effect.map(({ url }) => url),
  Effect.mapError(
    (cause) =>
      new SystemFailed({ system: "postgres", operation: "CREATE DATABASE", reason: reasonOf(cause) }),
  ),
)
