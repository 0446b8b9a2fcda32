/**
 * Puts an experiment's FAILED tasks back in the queue with a fresh retry budget: `retry_base`
 * moves up to the current attempt, so attempts used restart at 0 while attempt numbers (the fence)
 * keep growing. Returns how many were requeued.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { ExperimentId } from "../../../domain/Ids.js"

export const retryFailedTasks = (sql: SqlClient.SqlClient, experimentId: ExperimentId, now: Date) =>
  sql`UPDATE tasks SET status = 'QUEUED', retry_base = attempt, not_before = ${now}, error = NULL,
      exit_code = NULL, completed_at = NULL, updated_at = ${now}
    WHERE experiment_id = ${experimentId} AND status = 'FAILED' AND pending_deps = 0
    RETURNING id`.pipe(Effect.map((rows) => rows.length))
