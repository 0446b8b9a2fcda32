/** How experiments are shown: JSON objects for `--output json`, rows and fields for tables. */
import { DateTime, Duration } from "effect"
import { isTerminalStatus } from "../../actors/ExperimentWatch.js"
import type { Experiment } from "../../domain/Experiment.js"
import type { Timestamp } from "../../domain/Fields.js"
import { TaskStatus } from "../../domain/Status.js"
import type { ExperimentSummary, TaskCounts } from "../../ports/StoreModel.js"

const iso = (time: Timestamp | undefined): string | null =>
  time === undefined ? null : DateTime.formatIso(time)

/** Time from the start to the end, or to `now` while it runs; absent before it starts. */
export const durationMillis = (summary: ExperimentSummary, now: DateTime.Utc): number | undefined => {
  const { startedAt, completedAt } = summary.experiment
  return startedAt === undefined
    ? undefined
    : DateTime.toEpochMillis(completedAt ?? now) - DateTime.toEpochMillis(startedAt)
}

/** "5.9s" below a minute, "1h 2m 3s" above. */
export const formatDuration = (millis: number | undefined): string => {
  if (millis === undefined) return "-"
  if (millis < 60_000) return `${(millis / 1000).toFixed(1)}s`
  return Duration.format(Duration.seconds(Math.round(millis / 1000)))
}

/** The status for tables, marked `(open)` while the experiment takes tasks (`experiment add`). */
export const statusLabel = (e: Experiment): string =>
  e.open && !isTerminalStatus(e.status) ? `${e.status} (open)` : e.status

/** The fields every JSON view of an experiment carries (never the stored spec, which can be large). */
export const experimentJson = (summary: ExperimentSummary) => {
  const e = summary.experiment
  return {
    id: e.id,
    name: e.name,
    status: e.status,
    open: e.open,
    projectId: e.projectId,
    ownerId: e.ownerId,
    totalTasks: e.totalTasks,
    completedTasks: summary.completedTasks,
    failedTasks: summary.failedTasks,
    canceledTasks: summary.canceledTasks,
    runningTasks: summary.runningTasks,
    createdAt: iso(e.createdAt),
    startedAt: iso(e.startedAt),
    completedAt: iso(e.completedAt),
    metadata: e.metadata,
  }
}

/** Columns of `experiment list`. */
export const listHeaders = [
  "ID",
  "NAME",
  "STATUS",
  "TASKS",
  "DONE",
  "FAILED",
  "CANCELED",
  "RUNNING",
  "CREATED",
]

export const listRow = (summary: ExperimentSummary): ReadonlyArray<string> => {
  const e = summary.experiment
  return [
    e.id,
    e.name,
    statusLabel(e),
    String(e.totalTasks),
    String(summary.completedTasks),
    String(summary.failedTasks),
    String(summary.canceledTasks),
    String(summary.runningTasks),
    DateTime.formatIso(e.createdAt),
  ]
}

/** Every task status with its count, in lifecycle order. */
export const countRows = (counts: TaskCounts): ReadonlyArray<ReadonlyArray<string>> =>
  TaskStatus.literals.map((status) => [status, String(counts[status])])

/** `experiment status` as `field  value` lines. */
export const statusFields = (
  summary: ExperimentSummary,
  millis: number | undefined,
): ReadonlyArray<ReadonlyArray<string>> => {
  const e = summary.experiment
  const time = (t: Timestamp | undefined) => iso(t) ?? "-"
  return [
    ["experiment", e.id],
    ["name", e.name],
    ["status", statusLabel(e)],
    ["project", e.projectId],
    ["owner", e.ownerId],
    ["tasks", String(e.totalTasks)],
    ["created", time(e.createdAt)],
    ["started", time(e.startedAt)],
    ["completed", time(e.completedAt)],
    ["duration", formatDuration(millis)],
  ]
}
