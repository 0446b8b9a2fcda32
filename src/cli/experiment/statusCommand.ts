/** `airavata experiment status ID [--output table|json]`: status, counts per task status, timing. */
import { Command } from "@effect/cli"
import { DateTime, Effect } from "effect"
import { Store } from "../../ports/Store.js"
import { storeLayer, storeOptions } from "../storeTarget.js"
import { experimentId, output, print, printJson } from "./experimentOptions.js"
import { countRows, durationMillis, experimentJson, statusFields } from "./experimentViews.js"
import { alignRows, renderTable } from "./renderTable.js"
import { asUserErrors } from "./userErrors.js"

export const statusCommand = Command.make("status", { ...storeOptions, id: experimentId, output }, (flags) =>
  Effect.gen(function* () {
    const store = yield* Store
    const summary = yield* store.getExperiment(flags.id)
    const counts = yield* store.countTasks(flags.id)
    const millis = durationMillis(summary, yield* DateTime.now)
    if (flags.output === "json") {
      return yield* printJson({
        ...experimentJson(summary),
        durationMillis: millis ?? null,
        taskCounts: counts,
      })
    }
    yield* print(
      `${alignRows(statusFields(summary, millis))}\n${renderTable(["TASK STATUS", "COUNT"], countRows(counts))}`,
    )
  }).pipe(asUserErrors, Effect.provide(storeLayer(flags))),
).pipe(
  Command.withDescription(
    "Show an experiment's status, its tasks per status, and when it started and ended.",
  ),
)
