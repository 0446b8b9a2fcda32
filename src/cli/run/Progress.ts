/**
 * Live progress of one experiment: a bar with counts per status, rate and ETA on a terminal, a
 * line every few seconds otherwise (CI logs). Reads the Store's counters; never counts rows.
 */
import cliProgress from "cli-progress"
import { Clock, Duration, Effect, Schedule } from "effect"
import type { ExperimentId } from "../../domain/Ids.js"
import { type ExperimentStatus, terminalExperimentStatuses } from "../../domain/Status.js"
import { Store } from "../../ports/Store.js"
import type { ExperimentSummary, TaskCounts } from "../../ports/StoreModel.js"

interface Progress {
  readonly summary: ExperimentSummary
  readonly counts: TaskCounts
}

const isTerminal = (s: ExperimentStatus) => (terminalExperimentStatuses as ReadonlyArray<string>).includes(s)

const running = (c: TaskCounts) => c.DATA_STAGING + c.ENV_SETUP + c.RUNNING + c.OUTPUT_STAGING
export const describeCounts = (c: TaskCounts) =>
  `queued ${c.QUEUED + c.CREATED} running ${running(c)} done ${c.COMPLETED} failed ${c.FAILED} canceled ${c.CANCELED}`

/** Polls until the experiment is terminal; returns its final summary and counts. */
export const followExperiment = (id: ExperimentId, total: number, interactive: boolean) =>
  Effect.gen(function* () {
    const store = yield* Store
    const bar = interactive
      ? new cliProgress.SingleBar(
          {
            format: " {bar} {percentage}% | {value}/{total} | {counts} | {rate}/s | ETA {eta_formatted}",
            hideCursor: true,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined
    bar?.start(total, 0, { counts: "", rate: "0" })
    const started = yield* Clock.currentTimeMillis
    let lastLine = 0
    const poll = Effect.gen(function* () {
      const summary = yield* store.getExperiment(id)
      const counts = yield* store.countTasks(id)
      const done = counts.COMPLETED + counts.FAILED + counts.CANCELED
      const now = yield* Clock.currentTimeMillis
      const rate = done / Math.max(0.001, (now - started) / 1000)
      if (bar !== undefined) bar.update(done, { counts: describeCounts(counts), rate: rate.toFixed(1) })
      else if (now - lastLine >= 5000 || isTerminal(summary.experiment.status)) {
        lastLine = now
        yield* Effect.sync(() => process.stderr.write(`${done}/${total} ${describeCounts(counts)}\n`))
      }
      return { summary, counts }
    })
    const final = yield* poll.pipe(
      Effect.repeat(
        Schedule.recurUntil((s: Progress) => isTerminal(s.summary.experiment.status)).pipe(
          Schedule.addDelay(() => Duration.millis(250)),
        ),
      ),
    )
    bar?.stop()
    return final
  })
