/** `airavata experiment list [--status S] [--limit N] [--output table|json]`: newest first. */
import { Command } from "@effect/cli"
import { Effect, Option } from "effect"
import { Store } from "../../ports/Store.js"
import { ExperimentQuery } from "../../ports/StoreModel.js"
import { storeLayer, storeOptions } from "../storeTarget.js"
import { experimentStatus, limit, output, print, printJson } from "./experimentOptions.js"
import { experimentJson, listHeaders, listRow } from "./experimentViews.js"
import { renderTable } from "./renderTable.js"

export const listCommand = Command.make(
  "list",
  {
    ...storeOptions,
    status: experimentStatus,
    limit: limit(50, 1000, "Show at most N experiments (1–1000)"),
    output,
  },
  (flags) =>
    Effect.gen(function* () {
      const store = yield* Store
      const experiments = yield* store.listExperiments(
        ExperimentQuery.make({
          limit: flags.limit,
          ...Option.match(flags.status, { onNone: () => ({}), onSome: (status) => ({ status }) }),
        }),
      )
      if (flags.output === "json") return yield* printJson({ experiments: experiments.map(experimentJson) })
      yield* print(renderTable(listHeaders, experiments.map(listRow)))
    }).pipe(Effect.provide(storeLayer(flags))),
).pipe(Command.withDescription("List experiments, newest first, with their progress counters."))
