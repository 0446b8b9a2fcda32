/** One experiment of `total` independent no-op tasks, created through the Store as a user's would be. */
import { Stream } from "effect"
import type { ProjectId, UserId } from "../../src/domain/Ids.js"
import { ResourceRequirements } from "../../src/domain/Requirements.js"
import { RetryPolicy } from "../../src/domain/RetryPolicy.js"
import { ExpandedTask } from "../../src/domain/spec/ExpandedTask.js"
import type { Store } from "../../src/ports/Store.js"
import { NewExperiment } from "../../src/ports/StoreModel.js"

export const createNoopExperiment = (
  store: Store["Type"],
  owner: { readonly userId: UserId; readonly projectId: ProjectId },
  name: string,
  total: number,
) => {
  const requirements = ResourceRequirements.make({})
  const retry = RetryPolicy.make({})
  return store.createExperiment(
    NewExperiment.make({ name, projectId: owner.projectId, ownerId: owner.userId, spec: {} }),
    {
      total,
      counts: [{ name: "noop", count: total }],
      tasks: Stream.range(0, total - 1).pipe(
        Stream.map((index) =>
          ExpandedTask.make({
            key: `noop[${index}]`,
            name: "noop",
            index,
            script: "true",
            handler: "noop",
            inputs: { n: String(index) },
            outputs: {},
            environment: {},
            after: [],
            afterAll: [],
            requirements,
            retry,
          }),
        ),
      ),
    },
  )
}
