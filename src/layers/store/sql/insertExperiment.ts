/** Inserts the experiment row (its task count already known from the expansion). */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { ExperimentConstraints } from "../../../domain/Experiment.js"
import type { ExperimentId } from "../../../domain/Ids.js"
import { ResourceRequirements } from "../../../domain/Requirements.js"
import type { ExperimentStatus } from "../../../domain/Status.js"
import type { NewExperiment } from "../../../ports/StoreModel.js"

const encodeRequirements = Schema.encodeSync(ResourceRequirements)
const encodeConstraints = Schema.encodeSync(ExperimentConstraints)

export interface ExperimentRow {
  readonly id: ExperimentId
  readonly input: NewExperiment
  readonly status: ExperimentStatus
  readonly totalTasks: number
  readonly now: Date
}

/** The INSERT statement, for use on its own or inside a larger one (insertSmallExperiment). */
export const experimentInsert = (sql: SqlClient.SqlClient, row: ExperimentRow) =>
  sql`INSERT INTO experiments (id, name, description, project_id, owner_id, status, spec, requirements,
      constraints, metadata, total_tasks, open, created_at, updated_at, started_at)
    VALUES (${row.id}, ${row.input.name}, ${row.input.description}, ${row.input.projectId},
      ${row.input.ownerId}, ${row.status}, ${JSON.stringify(row.input.spec)}::jsonb,
      ${JSON.stringify(encodeRequirements(row.input.requirements))}::jsonb,
      ${JSON.stringify(encodeConstraints(row.input.constraints))}::jsonb,
      ${JSON.stringify(row.input.metadata)}::jsonb, ${row.totalTasks}, ${row.input.open}, ${row.now}, ${row.now},
      ${row.status === "EXECUTING" ? row.now : null}::timestamptz)`

export const insertExperiment = (sql: SqlClient.SqlClient, row: ExperimentRow) =>
  experimentInsert(sql, row).pipe(Effect.asVoid)
