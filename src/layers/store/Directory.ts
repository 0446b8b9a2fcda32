/** Directory upserts the store needs to exist before experiments and workers can refer to them. */
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import { EntityAlreadyExists, EntityNotFound, type ServiceUnavailable } from "../../domain/Errors.js"
import type { Project, User } from "../../domain/Identity.js"
import type { ComputeResource } from "../../domain/Resources.js"
import { failureOf, orUnavailable } from "./SqlFailures.js"
import * as Save from "./sql/saveDirectory.js"

// Known constraint violations become domain errors; anything else stays a SqlError.
const conflicts =
  <X>(map: (constraint: string | undefined) => X | undefined) =>
  <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>) =>
    Effect.catchIf(
      effect,
      (error): error is SqlError => error instanceof SqlError,
      (error): Effect.Effect<never, X | SqlError> => {
        const mapped = map(failureOf(error).constraint)
        return Effect.fail(mapped === undefined ? error : mapped)
      },
    )

export const saveUser =
  (sql: SqlClient.SqlClient) =>
  (user: User): Effect.Effect<void, EntityAlreadyExists | ServiceUnavailable> =>
    Save.saveUser(sql, user).pipe(
      conflicts((constraint) =>
        constraint === "users_username_key"
          ? new EntityAlreadyExists({ entity: "user", field: "username", value: user.username })
          : constraint === "users_email_key"
            ? new EntityAlreadyExists({ entity: "user", field: "email", value: user.email })
            : undefined,
      ),
      orUnavailable,
      Effect.withSpan("Store.saveUser", { attributes: { userId: user.id } }),
    )

export const saveProject =
  (sql: SqlClient.SqlClient) =>
  (project: Project): Effect.Effect<void, EntityNotFound | EntityAlreadyExists | ServiceUnavailable> =>
    Save.saveProject(sql, project).pipe(
      conflicts((constraint) =>
        constraint === "projects_owner_id_fkey"
          ? new EntityNotFound({ entity: "user", id: project.ownerId })
          : constraint === "projects_owner_name_key"
            ? new EntityAlreadyExists({
                entity: "project",
                field: "name",
                value: project.name,
                scope: `user ${project.ownerId}`,
              })
            : undefined,
      ),
      orUnavailable,
      Effect.withSpan("Store.saveProject", { attributes: { projectId: project.id } }),
    )

export const saveComputeResource =
  (sql: SqlClient.SqlClient) =>
  (
    resource: ComputeResource,
  ): Effect.Effect<void, EntityNotFound | EntityAlreadyExists | ServiceUnavailable> =>
    Save.saveComputeResource(sql, resource).pipe(
      conflicts((constraint) =>
        constraint === "compute_resources_owner_id_fkey"
          ? new EntityNotFound({ entity: "user", id: resource.ownerId })
          : constraint === "compute_resources_name_key"
            ? new EntityAlreadyExists({ entity: "compute-resource", field: "name", value: resource.name })
            : undefined,
      ),
      orUnavailable,
      Effect.withSpan("Store.saveComputeResource", { attributes: { resourceId: resource.id } }),
    )
