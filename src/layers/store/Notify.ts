/**
 * The change feed over LISTEN/NOTIFY: one channel, a JSON payload tagged with the kind of change
 * and decoded with Schema on receipt (one LISTEN per replica: the driver's listen connection runs
 * one query at a time). Notifications are sent inside the writing transaction, so they are delivered
 * on commit and never for a rolled-back change.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Chunk, Effect, Either, Schema, Stream } from "effect"
import type { ExperimentId } from "../../domain/Ids.js"
import { StoreChange } from "../../ports/StoreModel.js"
import type { ChangeListener } from "./ChangeListener.js"
import { unavailable } from "./SqlFailures.js"

/** The channel every change is sent on. */
export const channel = "airavata_changes"

// pg_notify payloads are limited to 8000 bytes; beyond this many ids the payload says "any".
const maxIds = 100

const encode = Schema.encodeSync(Schema.parseJson(StoreChange))

const ids = (experimentIds: Iterable<ExperimentId>): ReadonlyArray<ExperimentId> => {
  const unique = [...new Set(experimentIds)]
  return unique.length > maxIds ? [] : unique
}

/** `change` as a channel and payload, for batching several into one statement (bookkeep). */
export const notification = (
  change: StoreChange,
): { readonly channel: string; readonly payload: string } => ({
  channel,
  payload: encode(change),
})

/** TasksReady and TasksChanged notifications for these experiments, those that are non-empty. */
export const taskNotifications = (ready: Iterable<ExperimentId>, changed: Iterable<ExperimentId>) => {
  const readyIds = [...new Set(ready)]
  const changedIds = [...new Set(changed)]
  return [
    ...(readyIds.length === 0 ? [] : [notification({ _tag: "TasksReady", experimentIds: ids(readyIds) })]),
    ...(changedIds.length === 0
      ? []
      : [notification({ _tag: "TasksChanged", experimentIds: ids(changedIds) })]),
  ]
}

/**
 * A SELECT that sends the TasksChanged notification `taskNotifications` would send for the distinct
 * values of `column` in `relation`, or none when it is empty: for a statement that learns its
 * experiments only as it writes them (completeReported).
 */
export const tasksChangedSql = (relation: string, column: string) =>
  `SELECT pg_notify('${channel}', json_build_object('_tag', 'TasksChanged', 'experimentIds',
    CASE WHEN count(DISTINCT ${column}) > ${maxIds} THEN '[]'::json ELSE json_agg(DISTINCT ${column}) END)::text)
  FROM ${relation} HAVING count(*) > 0`

/** Sends `change` on its channel within the current transaction. */
export const notify = (sql: SqlClient.SqlClient, change: StoreChange) =>
  sql`select pg_notify(${channel}, ${encode(change)})`.pipe(Effect.asVoid)

/** NOTIFY TasksReady for these experiments, if any. */
export const notifyReady = (sql: SqlClient.SqlClient, experimentIds: Iterable<ExperimentId>) => {
  const list = [...new Set(experimentIds)]
  return list.length === 0 ? Effect.void : notify(sql, { _tag: "TasksReady", experimentIds: ids(list) })
}

/** NOTIFY TasksChanged for these experiments, if any. */
export const notifyChanged = (sql: SqlClient.SqlClient, experimentIds: Iterable<ExperimentId>) => {
  const list = [...new Set(experimentIds)]
  return list.length === 0 ? Effect.void : notify(sql, { _tag: "TasksChanged", experimentIds: ids(list) })
}

const decodeEither = Schema.decodeUnknownEither(Schema.parseJson(StoreChange))

/**
 * Every change, decoded; malformed payloads are logged and skipped. Decoded a chunk at a time and
 * synchronously: the feed carries several notifications per task, and an effect per element was a
 * visible share of an idle-ish scheduler's work per task.
 */
export const changeStream = (listener: ChangeListener["Type"]) =>
  listener.listen(channel).pipe(
    Stream.mapError(unavailable),
    Stream.mapChunksEffect((payloads) => {
      const changes: Array<StoreChange> = []
      const malformed: Array<string> = []
      for (const payload of payloads) {
        const decoded = decodeEither(payload)
        if (Either.isRight(decoded)) changes.push(decoded.right)
        else malformed.push(decoded.left.message)
      }
      const chunk = Chunk.unsafeFromArray(changes)
      return malformed.length === 0
        ? Effect.succeed(chunk)
        : Effect.as(
            Effect.forEach(malformed, (message) =>
              Effect.logWarning("ignoring malformed store notification", channel, message),
            ),
            chunk,
          )
    }),
  )
