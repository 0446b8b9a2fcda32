/** Directory rows, workers and hand-built expansions for the Store suite (no spec parser needed). */
import { randomBytes } from "node:crypto"
import { DateTime, Effect, Stream } from "effect"
import { Email } from "../../../src/domain/Fields.js"
import { Project, User } from "../../../src/domain/Identity.js"
import { ComputeResourceId, ProjectId, UserId, WorkerId } from "../../../src/domain/Ids.js"
import { ResourceRequirements, WorkerCapabilities } from "../../../src/domain/Requirements.js"
import { ComputeResource } from "../../../src/domain/Resources.js"
import { Backoff, RetryPolicy } from "../../../src/domain/RetryPolicy.js"
import { ExpandedTask, type Expansion } from "../../../src/domain/spec/ExpandedTask.js"
import { Store } from "../../../src/ports/Store.js"
import {
  type ClaimedTask,
  ExperimentQuery,
  NewExperiment,
  TaskReport,
  WorkerRegistration,
} from "../../../src/ports/StoreModel.js"

/** A suffix unique to this run, so tests sharing a database never collide. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(5).toString("hex")}`

const epoch = DateTime.unsafeMake(0)

export interface Tenant {
  readonly userId: UserId
  readonly projectId: ProjectId
  readonly resourceId: ComputeResourceId
}

/** A user with a project and a compute resource. */
export const tenant = Effect.gen(function* () {
  const store = yield* Store
  const name = unique("user")
  const userId = UserId.make(name)
  const projectId = ProjectId.make(unique("project"))
  const resourceId = ComputeResourceId.make(unique("local"))
  yield* store.saveUser(
    User.make({
      id: userId,
      username: name,
      email: Email.make(`${name}@example.org`),
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
      maxWorkers: 64,
      createdAt: epoch,
      updatedAt: epoch,
    }),
  )
  return { userId, projectId, resourceId } satisfies Tenant
})

export const capabilities = (gpus = 0) =>
  WorkerCapabilities.make({ cpuCores: 8, memoryMB: 16_384, diskGB: 100, gpus })

/** A registered worker on the tenant's resource. */
export const worker = (owner: Tenant, gpus = 0) =>
  Effect.gen(function* () {
    const store = yield* Store
    const id = WorkerId.make(unique("worker"))
    yield* store.registerWorker(
      WorkerRegistration.make({
        id,
        computeResourceId: owner.resourceId,
        capabilities: capabilities(gpus),
        slots: 32,
        tokenHash: "a".repeat(64),
      }),
    )
    return id
  })

/** No retries and no backoff, unless a test says otherwise. */
export const noRetry = RetryPolicy.make({ retries: 0, backoff: Backoff.make({ baseMs: 0, jitter: 0 }) })

export type TaskOptions = Partial<
  Pick<
    ExpandedTask,
    "after" | "afterAll" | "inputs" | "outputs" | "requirements" | "retry" | "script" | "handler"
  >
>

/** Instance `index` of spec task `name`. */
export const task = (name: string, index = 0, options: TaskOptions = {}) =>
  ExpandedTask.make({
    key: `${name}[${index}]`,
    name,
    index,
    script: options.script ?? `echo ${name} ${index}`,
    ...(options.handler === undefined ? {} : { handler: options.handler }),
    inputs: options.inputs ?? {},
    outputs: options.outputs ?? {},
    environment: { TASK: name },
    after: options.after ?? [],
    afterAll: options.afterAll ?? [],
    requirements: options.requirements ?? ResourceRequirements.make({}),
    retry: options.retry ?? noRetry,
  })

/** An expansion of explicitly listed tasks (already in topological order). */
export const listed = (tasks: ReadonlyArray<ExpandedTask>): Expansion => {
  const counts = new Map<string, number>()
  for (const t of tasks) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
  return {
    total: tasks.length,
    counts: [...counts].map(([name, count]) => ({ name, count })),
    tasks: Stream.fromIterable(tasks),
  }
}

/** `count` instances of one task, produced lazily. */
export const sweep = (name: string, count: number, options: TaskOptions = {}): Expansion => ({
  total: count,
  counts: [{ name, count }],
  tasks: Stream.range(0, count - 1).pipe(Stream.map((i) => task(name, i, options))),
})

/** A new experiment of the tenant's, started at once unless `start` is false. */
export const newExperiment = (owner: Tenant, options: { readonly start?: boolean } = {}) =>
  NewExperiment.make({
    name: unique("exp"),
    projectId: owner.projectId,
    ownerId: owner.userId,
    spec: { test: true },
    start: options.start ?? true,
  })

/** Creates and starts an experiment for the tenant. */
export const submit = (owner: Tenant, expansion: Expansion, options: { readonly start?: boolean } = {}) =>
  Effect.flatMap(Store, (store) => store.createExperiment(newExperiment(owner, options), expansion))

/** Cancels every unfinished experiment, so claims see only the current test's work. */
export const cleanSlate = Effect.gen(function* () {
  const store = yield* Store
  for (const status of ["CREATED", "EXECUTING", "PAUSED"] as const) {
    const active = yield* store.listExperiments(ExperimentQuery.make({ status, limit: 1000 }))
    yield* Effect.forEach(active, (summary) => store.cancelExperiment(summary.experiment.id), {
      discard: true,
    })
  }
})

/** Claims until the worker gets nothing, `max` at a time; returns everything claimed. */
export const drain = (workerId: WorkerId, max: number) =>
  Effect.gen(function* () {
    const store = yield* Store
    const all: Array<ClaimedTask> = []
    for (;;) {
      const batch = yield* store.claim(workerId, max)
      if (batch.length === 0) return all
      all.push(...batch)
    }
  })

/** The report a worker sends when its attempt at `claimed` ends. */
export const finish = (claimed: ClaimedTask, status: "COMPLETED" | "FAILED" = "COMPLETED", error?: string) =>
  TaskReport.make({
    taskId: claimed.taskId,
    attempt: claimed.attempt,
    workerId: claimed.workerId,
    status,
    ...(status === "COMPLETED"
      ? { exitCode: 0, result: { ok: true } }
      : { exitCode: 1, error: error ?? "boom" }),
  })
