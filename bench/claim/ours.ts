/**
 * The Store's claim on PostgreSQL: `connections` fibers, one worker each, looping `claim(worker, k)`
 * (optionally reporting each batch COMPLETED with `reportMany`) until the experiment is drained.
 * Returns tasks per second.
 */
import { DateTime, Effect, Stream } from "effect"
import { Email } from "../../src/domain/Fields.js"
import { Project, User } from "../../src/domain/Identity.js"
import { ComputeResourceId, ProjectId, UserId, WorkerId } from "../../src/domain/Ids.js"
import { ResourceRequirements, WorkerCapabilities } from "../../src/domain/Requirements.js"
import { ComputeResource } from "../../src/domain/Resources.js"
import { RetryPolicy } from "../../src/domain/RetryPolicy.js"
import { ExpandedTask } from "../../src/domain/spec/ExpandedTask.js"
import { Store } from "../../src/ports/Store.js"
import { NewExperiment, TaskReport, WorkerRegistration } from "../../src/ports/StoreModel.js"

export interface OursRun {
  readonly tasks: number
  readonly batch: number
  readonly connections: number
  readonly complete: boolean
  readonly tag: string
}

const epoch = DateTime.unsafeMake(0)

export const ours = (run: OursRun) =>
  Effect.gen(function* () {
    const store = yield* Store
    const userId = UserId.make(`bench-${run.tag}`)
    const projectId = ProjectId.make(`bench-${run.tag}`)
    const resourceId = ComputeResourceId.make(`bench-${run.tag}`)
    yield* store.saveUser(
      User.make({
        id: userId,
        username: `bench-${run.tag}`,
        email: Email.make(`${run.tag}@bench.example`),
        createdAt: epoch,
        updatedAt: epoch,
      }),
    )
    yield* store.saveProject(
      Project.make({ id: projectId, name: projectId, ownerId: userId, createdAt: epoch, updatedAt: epoch }),
    )
    yield* store.saveComputeResource(
      ComputeResource.make({
        id: resourceId,
        name: resourceId,
        type: "LOCAL",
        ownerId: userId,
        createdAt: epoch,
        updatedAt: epoch,
      }),
    )
    const workers = yield* Effect.forEach(
      Array.from({ length: run.connections }, (_, i) => i),
      (i) =>
        Effect.as(
          store.registerWorker(
            WorkerRegistration.make({
              id: WorkerId.make(`bench-${run.tag}-${i}`),
              computeResourceId: resourceId,
              capabilities: WorkerCapabilities.make({
                cpuCores: 64,
                memoryMB: 262_144,
                diskGB: 1000,
                gpus: 0,
              }),
              slots: 64,
            }),
          ),
          WorkerId.make(`bench-${run.tag}-${i}`),
        ),
    )
    const requirements = ResourceRequirements.make({})
    const retry = RetryPolicy.make({})
    const insertStarted = performance.now()
    yield* store.createExperiment(
      NewExperiment.make({ name: `bench-${run.tag}`, projectId, ownerId: userId, spec: {} }),
      {
        total: run.tasks,
        counts: [{ name: "noop", count: run.tasks }],
        tasks: Stream.range(0, run.tasks - 1).pipe(
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
    const insertSeconds = (performance.now() - insertStarted) / 1000

    const started = performance.now()
    const counts = yield* Effect.forEach(
      workers,
      (workerId) =>
        Effect.gen(function* () {
          let claimed = 0
          for (;;) {
            const batch = yield* store.claim(workerId, run.batch)
            if (batch.length === 0) return claimed
            claimed += batch.length
            if (run.complete) {
              yield* store.reportMany(
                batch.map((task) =>
                  // Built unvalidated: what is measured is the store, not the caller's construction.
                  TaskReport.make(
                    {
                      taskId: task.taskId,
                      attempt: task.attempt,
                      workerId,
                      status: "COMPLETED",
                      exitCode: 0,
                    },
                    true,
                  ),
                ),
              )
            }
          }
        }),
      { concurrency: "unbounded" },
    )
    const seconds = (performance.now() - started) / 1000
    const claimed = counts.reduce((a, b) => a + b, 0)
    return { claimed, perSecond: claimed / seconds, insertPerSecond: run.tasks / insertSeconds }
  })
