/**
 * `airavata run SPEC`: the embedded default. PGlite in the data dir, a scheduler on loopback,
 * N local worker processes, the experiment submitted, a live progress bar, a summary. Exits 0
 * only if the experiment COMPLETED. Nothing to install.
 */
import * as Os from "node:os"
import * as Path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { Scheduler } from "../../actors/Scheduler.js"
import { Store } from "../../ports/Store.js"
import { SchedulerEndpoint, SchedulerLive } from "../../SchedulerLive.js"
import { EXIT_FAILURE } from "../exitCode.js"
import { readSpecFile } from "../spec/readSpecFile.js"
import { dataDirOption, workDir } from "./dataDir.js"
import { followExperiment } from "./Progress.js"
import { printSummary } from "./Summary.js"

const file = Args.file({ name: "SPEC", exists: "yes" }).pipe(
  Args.withDescription("Experiment spec (YAML or API JSON)"),
)
const workers = Options.integer("workers").pipe(
  Options.withDefault(Os.availableParallelism()),
  Options.withDescription("Local worker processes to start (default: number of cores)"),
)
const slots = Options.integer("slots").pipe(
  Options.withDefault(1),
  Options.withDescription("Tasks each worker runs at once"),
)
const handlers = Options.file("handlers").pipe(
  Options.optional,
  Options.withDescription("Module of in-process task handlers the workers load"),
)

export const runCommand = Command.make(
  "run",
  { file, workers, slots, dataDir: dataDirOption, handlers },
  ({ file, workers, slots, dataDir, handlers }) =>
    // The spec is checked before anything starts: a bad spec costs no database and no workers.
    Effect.flatMap(readSpecFile(file), (spec) =>
      Effect.gen(function* () {
        const scheduler = yield* Scheduler
        const endpoint = yield* SchedulerEndpoint
        const submitted = yield* scheduler.submit(spec, { freshName: true })
        const id = submitted.experiment.id
        yield* Console.error(
          `experiment ${id}: ${submitted.experiment.name}, ${workers} worker(s), data in ${dataDir}`,
        )
        const final = yield* followExperiment(
          id,
          submitted.experiment.totalTasks,
          process.stderr.isTTY === true,
        )
        const work = endpoint.workDir ?? workDir(dataDir)
        yield* printSummary(final.summary, final.counts, {
          workDir: work,
          // local-<pid>-1.log … local-<pid>-N.log: this run's workers, not earlier runs' in the same directory.
          pilotLogs: (endpoint.workerLogs[0] ?? Path.join(work, "pilots", "*.log")).replace(
            /-\d+\.log$/,
            "-*.log",
          ),
        })
        if (final.summary.experiment.status !== "COMPLETED") {
          yield* Effect.sync(() => {
            process.exitCode = EXIT_FAILURE
          })
        }
        // The data dir is PGlite, which nothing vacuums: its tasks' dead row versions are made
        // reusable now that nothing waits on the database (docs/storage.md). A failure only costs space.
        yield* Effect.flatMap(Store, (store) => store.reclaimSpace).pipe(
          Effect.catchAll((error) =>
            Effect.logWarning(`could not reclaim space in ${dataDir}: ${error.message}`),
          ),
        )
      }).pipe(
        Effect.provide(
          SchedulerLive.embedded({
            dataDir,
            workers: Math.max(1, workers),
            slots: Math.max(1, slots),
            ...Option.match(handlers, { onNone: () => ({}), onSome: (h) => ({ handlersModule: h }) }),
          }),
        ),
      ),
    ),
).pipe(
  Command.withDescription(
    "Run an experiment on this machine: embedded database, local workers, live progress.",
  ),
)
