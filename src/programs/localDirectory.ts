/**
 * The rows an embedded or single-user scheduler needs before anything is submitted: the local
 * user, a project, and the `local` compute resource its worker processes belong to. Idempotent.
 */
import * as Os from "node:os"
import { DateTime, Effect } from "effect"
import { Email } from "../domain/Fields.js"
import { Project, User } from "../domain/Identity.js"
import { ComputeResourceId, ProjectId, UserId } from "../domain/Ids.js"
import { ComputeResource } from "../domain/Resources.js"
import { Store } from "../ports/Store.js"

export const LOCAL_COMPUTE = ComputeResourceId.make("local")

/** A user id from the OS account (lower-case, safe characters, at least 3 long). */
export const localUserId = (): UserId => {
  const name = Os.userInfo()
    .username.toLowerCase()
    .replace(/[^a-z0-9._-]/g, "-")
  return UserId.make(name.length >= 3 ? name : `user-${name}`)
}

/** Makes sure the user, project and local compute resource exist; returns their ids. */
export const ensureLocalDirectory = (projectName: string) =>
  Effect.gen(function* () {
    const store = yield* Store
    const now = yield* DateTime.now
    const userId = localUserId()
    const projectId = ProjectId.make(projectName)
    yield* store.saveUser(
      User.make({
        id: userId,
        username: userId,
        email: Email.make(`${userId}@localhost`),
        createdAt: now,
        updatedAt: now,
      }),
    )
    yield* store.saveProject(
      Project.make({ id: projectId, name: projectName, ownerId: userId, createdAt: now, updatedAt: now }),
    )
    yield* store.saveComputeResource(
      ComputeResource.make({
        id: LOCAL_COMPUTE,
        name: "local",
        type: "LOCAL",
        ownerId: userId,
        maxWorkers: Math.max(1, Os.availableParallelism()),
        createdAt: now,
        updatedAt: now,
      }),
    )
    return { userId, projectId } as const
  }).pipe(Effect.withSpan("ensureLocalDirectory"))
