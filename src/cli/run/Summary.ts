/** The end-of-run summary: outcome, counts, throughput, where outputs and logs are, and what failed. */
import { Console, DateTime, Effect, Option } from "effect"
import { Store } from "../../ports/Store.js"
import type { ExperimentSummary, TaskCounts } from "../../ports/StoreModel.js"
import { describeCounts } from "./Progress.js"

export const printSummary = (
  summary: ExperimentSummary,
  counts: TaskCounts,
  where: { readonly workDir: string; readonly pilotLogs: string },
) =>
  Effect.gen(function* () {
    const store = yield* Store
    const e = summary.experiment
    const seconds = Option.match(Option.fromNullable(e.startedAt), {
      onNone: () => 0,
      onSome: (start) =>
        DateTime.toEpochMillis(e.completedAt ?? e.updatedAt) / 1000 - DateTime.toEpochMillis(start) / 1000,
    })
    const done = counts.COMPLETED + counts.FAILED + counts.CANCELED
    yield* Console.log(`${e.status} experiment ${e.id} (${e.name})`)
    yield* Console.log(`  ${describeCounts(counts)}`)
    yield* Console.log(
      `  ${done} task(s) in ${seconds.toFixed(1)} s (${(done / Math.max(seconds, 0.001)).toFixed(1)}/s)`,
    )
    yield* Console.log(
      `  outputs and logs: ${where.workDir}/${e.id}/<task>/attempt-<n>/ (stdout.log, stderr.log)`,
    )
    yield* Console.log(`  worker logs:      ${where.pilotLogs}`)
    if (counts.FAILED > 0) {
      const page = yield* store.listTasks({ experimentId: e.id, status: "FAILED", limit: 10 })
      yield* Console.log("  failed:")
      for (const t of page.tasks) yield* Console.log(`    ${t.key}: ${t.error ?? "no error recorded"}`)
    }
  })
