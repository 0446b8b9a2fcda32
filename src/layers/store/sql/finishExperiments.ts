/**
 * Moves experiments whose every task is terminal to COMPLETED, or FAILED when any task failed or
 * was canceled, and NOTIFYs each change — in one statement. Run after the transactions that
 * count terminal tasks have committed (each then sees every earlier commit, so the last one to
 * check sees the full count), and by the reaper for all running experiments as a safety net. It
 * takes no lock unless an experiment is actually done: counting never serialises reports.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { ExperimentId } from "../../../domain/Ids.js"
import { ExperimentStatus } from "../../../domain/Status.js"
import { channel } from "../Notify.js"
import { rowDecoder } from "../Rows.js"
import { experimentSources } from "../Transitions.js"

const decodeFinished = rowDecoder(Schema.Array(Schema.Struct({ id: ExperimentId, status: ExperimentStatus })))

// Statuses the machine lets finish either way.
const finishable = experimentSources("COMPLETED").filter((s) => experimentSources("FAILED").includes(s))

/** Finishes those of `ids` (or every running experiment, for "all") that are done. */
export const finishExperiments = (
  sql: SqlClient.SqlClient,
  ids: ReadonlyArray<ExperimentId> | "all",
  now: Date,
) =>
  ids !== "all" && ids.length === 0
    ? Effect.succeed([])
    : sql`WITH totals AS (
          SELECT e.id, e.total_tasks + coalesce(sum(l.added), 0) AS total,
            coalesce(sum(l.completed + l.failed + l.canceled), 0) AS terminal,
            coalesce(sum(l.failed + l.canceled), 0) AS unsuccessful
          FROM experiments e LEFT JOIN experiment_load l ON l.experiment_id = e.id
          WHERE e.status = ANY(${finishable}::text[]) AND NOT e.open
            AND ${ids === "all" ? sql`true` : sql`e.id = ANY(${ids}::text[])`}
          GROUP BY e.id, e.total_tasks
        ), finished AS (
          UPDATE experiments e SET updated_at = ${now}, completed_at = ${now},
            status = CASE WHEN t.unsuccessful > 0 THEN 'FAILED' ELSE 'COMPLETED' END
          FROM totals t
          WHERE e.id = t.id AND t.terminal = t.total AND e.status = ANY(${finishable}::text[])
          RETURNING e.id, e.status
        )
        SELECT f.id, f.status, pg_notify(${channel},
          json_build_object('_tag', 'ExperimentChanged', 'experimentId', f.id, 'status', f.status)::text)
        FROM finished f`.pipe(Effect.flatMap(decodeFinished))
