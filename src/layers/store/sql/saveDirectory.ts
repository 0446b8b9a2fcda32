/** Upserts of directory entities (users, projects, compute resources), by id. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { DateTime, Effect } from "effect"
import type { Project, User } from "../../../domain/Identity.js"
import type { ComputeResource } from "../../../domain/Resources.js"

const at = DateTime.toDateUtc

export const saveUser = (sql: SqlClient.SqlClient, u: User) =>
  sql`INSERT INTO users (id, username, email, full_name, is_active, uid, gid, metadata, created_at, updated_at)
    VALUES (${u.id}, ${u.username}, ${u.email}, ${u.fullName}, ${u.isActive}, ${u.uid ?? null}, ${u.gid ?? null},
      ${JSON.stringify(u.metadata)}::jsonb, ${at(u.createdAt)}, ${at(u.updatedAt)})
    ON CONFLICT (id) DO UPDATE SET username = excluded.username, email = excluded.email,
      full_name = excluded.full_name, is_active = excluded.is_active, uid = excluded.uid, gid = excluded.gid,
      metadata = excluded.metadata, updated_at = excluded.updated_at`.pipe(Effect.asVoid)

export const saveProject = (sql: SqlClient.SqlClient, p: Project) =>
  sql`INSERT INTO projects (id, name, description, owner_id, is_active, metadata, created_at, updated_at)
    VALUES (${p.id}, ${p.name}, ${p.description}, ${p.ownerId}, ${p.isActive}, ${JSON.stringify(p.metadata)}::jsonb,
      ${at(p.createdAt)}, ${at(p.updatedAt)})
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
      owner_id = excluded.owner_id, is_active = excluded.is_active, metadata = excluded.metadata,
      updated_at = excluded.updated_at`.pipe(Effect.asVoid)

export const saveComputeResource = (sql: SqlClient.SqlClient, r: ComputeResource) =>
  sql`INSERT INTO compute_resources (id, name, type, endpoint, port, owner_id, status, cost_per_hour, max_workers,
      current_workers, availability, capabilities, metadata, created_at, updated_at)
    VALUES (${r.id}, ${r.name}, ${r.type}, ${r.endpoint}, ${r.port ?? null}, ${r.ownerId}, ${r.status},
      ${r.costPerHour}, ${r.maxWorkers}, ${r.currentWorkers}, ${r.availability},
      ${JSON.stringify(r.capabilities)}::jsonb, ${JSON.stringify(r.metadata)}::jsonb, ${at(r.createdAt)},
      ${at(r.updatedAt)})
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, endpoint = excluded.endpoint,
      port = excluded.port, owner_id = excluded.owner_id, status = excluded.status,
      cost_per_hour = excluded.cost_per_hour, max_workers = excluded.max_workers,
      current_workers = excluded.current_workers, availability = excluded.availability,
      capabilities = excluded.capabilities, metadata = excluded.metadata,
      updated_at = excluded.updated_at`.pipe(Effect.asVoid)
