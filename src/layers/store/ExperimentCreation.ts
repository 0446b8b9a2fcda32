/**
 * `createExperiment`: the experiment row, its task groups, then the expansion streamed through in
 * batches (tasks, instance edges, barriers), all in one transaction. Only one batch is in memory at
 * a time, so a million-task sweep inserts within a bounded heap; ids are derived, not looked up.
 */
import { randomUUID } from "node:crypto"
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Chunk, DateTime, Effect, Iterable, Schema, Stream } from "effect"
import {
  EntityAlreadyExists,
  EntityNotFound,
  InvalidInput,
  type ServiceUnavailable,
} from "../../domain/Errors.js"
import { Experiment } from "../../domain/Experiment.js"
import { ExperimentId, type TaskId } from "../../domain/Ids.js"
import { ExperimentMachine } from "../../domain/StateMachine.js"
import type { ExperimentStatus } from "../../domain/Status.js"
import { type ExpandedTask, type Expansion, InputValue } from "../../domain/spec/ExpandedTask.js"
import { maxTasksLeasedAtBirth } from "../../ports/IdleSlots.js"
import type { CreateExperimentError } from "../../ports/StoreErrors.js"
import {
  type CreatedExperiment,
  ExperimentSummary,
  type LeaseOffer,
  type NewExperiment,
} from "../../ports/StoreModel.js"
import { claimedTasksOf } from "./Claims.js"
import { notification, notify, notifyReady } from "./Notify.js"
import { failureOf, orUnavailable, transaction } from "./SqlFailures.js"
import { type Barrier, type Edge, insertBarriers, insertEdges } from "./sql/insertDependencies.js"
import { insertExperiment } from "./sql/insertExperiment.js"
import { insertSmallExperiment } from "./sql/insertSmallExperiment.js"
import { insertTaskGroups } from "./sql/insertTaskGroups.js"
import { insertTasks, type TaskRow } from "./sql/insertTasks.js"
import { selectSummary } from "./sql/selectSummaries.js"
import { setExperimentStatus } from "./sql/setExperimentStatus.js"
import { taskIdFor } from "./TaskIds.js"
import { now as currentTime, plusMillis } from "./Time.js"
import { requireTaskMove } from "./Transitions.js"

// A batch of tasks per statement; an experiment of one batch at most is inserted in one statement,
// and only then are its tasks leased at birth.
const batchSize = maxTasksLeasedAtBirth

const encodeInputs = Schema.encodeSync(Schema.Record({ key: Schema.String, value: InputValue }))

interface Prepared {
  readonly rows: Array<TaskRow>
  readonly edges: Array<Edge>
  readonly barriers: Array<Barrier>
}

/** The row of `task`, with id `id`, waiting on `pending` tasks and barriers. */
export const taskRow = (id: TaskId, task: ExpandedTask, pending: number): TaskRow => {
  const { requirements, retry } = task
  return {
    id,
    key: task.key,
    name: task.name,
    index: task.index,
    priority: requirements.priority,
    script: task.script,
    handler: task.handler ?? null,
    inputs: JSON.stringify(encodeInputs(task.inputs)),
    outputs: JSON.stringify(task.outputs),
    environment: JSON.stringify(task.environment),
    pending,
    retries: retry.retries,
    baseMs: retry.backoff.baseMs,
    factor: retry.backoff.factor,
    maxMs: retry.backoff.maxMs,
    jitter: retry.backoff.jitter,
    timeoutSeconds: retry.timeoutSeconds ?? null,
    cpuCores: requirements.cpuCores,
    memoryMB: requirements.memoryMB,
    diskGB: requirements.diskGB,
    gpus: requirements.gpus,
    walltime: requirements.walltime ?? null,
  }
}

const prepare = (
  experimentId: ExperimentId,
  tasks: ReadonlyArray<ExpandedTask>,
  counts: ReadonlyMap<string, number>,
): Prepared => {
  const prepared: Prepared = { rows: [], edges: [], barriers: [] }
  const seenBarriers = new Set<string>()
  for (const task of tasks) {
    const id = taskIdFor(experimentId, task.key)
    const after = [...new Set(task.after)]
    // A barrier on a task name with no instances is met from the start.
    const afterAll = [...new Set(task.afterAll)].filter((name) => counts.get(name) !== 0)
    prepared.rows.push(taskRow(id, task, after.length + afterAll.length))
    for (const key of after) prepared.edges.push({ dependsOn: taskIdFor(experimentId, key), task: id })
    for (const before of afterAll) {
      const pair = `${before}\u0000${task.name}`
      if (!seenBarriers.has(pair)) {
        seenBarriers.add(pair)
        prepared.barriers.push({ before, after: task.name })
      }
    }
  }
  return prepared
}

// Integrity violations while writing tasks mean the expansion contradicts itself.
const expansionProblems: Record<string, { readonly path: string; readonly expected: string }> = {
  tasks_pkey: { path: "tasks[].key", expected: "task keys unique within the experiment" },
  task_groups_pkey: { path: "counts[].name", expected: "task names listed once" },
  tasks_experiment_id_name_fkey: { path: "tasks[].name", expected: "a task name listed in counts" },
  task_dependencies_depends_on_fkey: {
    path: "tasks[].after",
    expected: "keys of tasks that come earlier in the expansion",
  },
  task_dependencies_not_self: { path: "tasks[].after", expected: "no task waiting on itself" },
  task_barriers_experiment_id_before_name_fkey: {
    path: "tasks[].afterAll",
    expected: "task names listed in counts",
  },
  task_barriers_not_self: { path: "tasks[].afterAll", expected: "no task waiting on its own name" },
}

const describeFailure = (
  input: NewExperiment,
  id: ExperimentId,
  error: SqlError,
): EntityAlreadyExists | EntityNotFound | InvalidInput | SqlError => {
  const { code, constraint, message, detail } = failureOf(error)
  if (code === "23505" && constraint === "experiments_pkey") {
    return new EntityAlreadyExists({ entity: "experiment", field: "id", value: id })
  }
  if (code === "23505" && constraint === "experiments_project_name_key") {
    return new EntityAlreadyExists({
      entity: "experiment",
      field: "name",
      value: input.name,
      scope: `project ${input.projectId}`,
    })
  }
  if (code === "23503" && constraint === "experiments_owner_id_fkey") {
    return new EntityNotFound({ entity: "user", id: input.ownerId })
  }
  if (code === "23503" && constraint === "experiments_project_id_fkey") {
    return new EntityNotFound({ entity: "project", id: input.projectId })
  }
  if (code?.startsWith("23") === true) {
    const known = constraint === undefined ? undefined : expansionProblems[constraint]
    return new InvalidInput({
      path: known?.path ?? "tasks",
      expected: known?.expected ?? `tasks satisfying ${constraint ?? "the schema"}`,
      actual: detail ?? message,
    })
  }
  return error
}

/**
 * The summary of an experiment just inserted in one statement, from the values inserted rather
 * than read back: no task has run yet. Built without the schema's checks: every value was checked
 * on the way in (`NewExperiment`, the deadline, the state machine), and checking them again was
 * most of this function's cost (40 µs of 42 warm, the spec walked once more as JSON). Store tests
 * hold it equal to what `getExperiment` decodes from the row.
 */
const insertedSummary = (
  id: ExperimentId,
  input: NewExperiment,
  status: ExperimentStatus,
  totalTasks: number,
  now: Date,
): ExperimentSummary => {
  const at = DateTime.unsafeFromDate(now)
  return ExperimentSummary.make(
    {
      experiment: Experiment.make(
        {
          id,
          name: input.name,
          description: input.description,
          projectId: input.projectId,
          ownerId: input.ownerId,
          status,
          spec: input.spec,
          requirements: input.requirements,
          constraints: input.constraints,
          totalTasks,
          open: input.open,
          metadata: input.metadata,
          createdAt: at,
          updatedAt: at,
          ...(status === "EXECUTING" ? { startedAt: at } : {}),
        },
        true,
      ),
      completedTasks: 0,
      failedTasks: 0,
      canceledTasks: 0,
      runningTasks: 0,
    },
    true,
  )
}

/**
 * An Experiment's deadline must come after its creation; NewExperiment cannot check that, as the
 * creation time is only known here. Refused before anything is written.
 */
const requireFutureDeadline = (input: NewExperiment, now: Date): Effect.Effect<void, InvalidInput> => {
  const deadline = input.constraints.deadline
  return deadline === undefined || DateTime.toEpochMillis(deadline) > now.getTime()
    ? Effect.void
    : Effect.fail(
        new InvalidInput({
          path: "constraints.deadline",
          expected: `a time after the experiment's creation (${now.toISOString()})`,
          actual: DateTime.formatIso(deadline),
        }),
      )
}

/**
 * `createAndLease`: creates the experiment (createExperiment) and, when it fits in one statement
 * and starts at once, leases up to `offer.max` of its ready tasks to `offer.workerId` in that same
 * statement, as a claim by that worker would (see `claim` for the rules: the worker must be able to
 * claim and have the task's requirements; the first ready tasks by priority, then order, are
 * offered). What the worker does not get is QUEUED for any claimer.
 */
export const createAndLease =
  (sql: SqlClient.SqlClient, leaseMillis: number) =>
  <E>(
    input: NewExperiment,
    expansion: Expansion<E>,
    offer?: LeaseOffer,
  ): Effect.Effect<CreatedExperiment, E | CreateExperimentError> => {
    const id = input.id ?? ExperimentId.make(`exp_${randomUUID()}`)
    const counts = new Map(expansion.counts.map((c) => [c.name, c.count]))
    // What both paths check and decide before writing anything: the creation time, the first status.
    const begin = Effect.gen(function* () {
      yield* requireTaskMove("CREATED", "QUEUED")
      const now = yield* currentTime
      yield* requireFutureDeadline(input, now)
      const status: ExperimentStatus = input.start
        ? yield* ExperimentMachine.transition("CREATED", "EXECUTING").pipe(Effect.orDie)
        : "CREATED"
      return { now, status }
    })

    // Up to one batch (a single task submitted on its own, most interactive use): one statement.
    const small: Effect.Effect<CreatedExperiment, E | SqlError | InvalidInput> = Effect.gen(function* () {
      const { now, status } = yield* begin
      // Every task is counted, as the batched path counts them, but only a batch's worth is kept.
      const keep = (acc: { tasks: Array<ExpandedTask>; produced: number }, task: ExpandedTask) => {
        if (acc.produced < batchSize) acc.tasks.push(task)
        acc.produced++
        return acc
      }
      const start = { tasks: [] as Array<ExpandedTask>, produced: 0 }
      const { tasks, produced } =
        expansion.instances === undefined
          ? yield* Stream.runFold(expansion.tasks, start, keep)
          : Iterable.reduce(expansion.instances, start, keep)
      if (produced !== expansion.total) return yield* wrongTotal(produced)
      const batch = prepare(id, tasks, counts)
      const executing = status === "EXECUTING"
      const lease =
        offer === undefined || !executing || offer.max < 1
          ? undefined
          : {
              workerId: offer.workerId,
              leaseUntil: plusMillis(now, leaseMillis),
              offered: offered(batch.rows, offer.max),
            }
      if (lease !== undefined) yield* requireTaskMove("QUEUED", "DATA_STAGING")
      const rows = yield* insertSmallExperiment(sql, {
        experiment: { id, input, status, totalTasks: expansion.total, now },
        counts: expansion.counts,
        ...batch,
        notifications: [notification({ _tag: "ExperimentChanged", experimentId: id, status })],
        ready: executing ? notification({ _tag: "TasksReady", experimentIds: [id] }) : undefined,
        lease,
      })
      if (rows.length === 0) return yield* Effect.dieMessage(`experiment ${id} was not inserted`)
      const leased =
        lease === undefined ? [] : yield* claimedTasksOf(rows.filter((row) => row.taskId !== null))
      return { summary: insertedSummary(id, input, status, expansion.total, now), leased }
    })

    const wrongTotal = (inserted: number) =>
      new InvalidInput({
        path: "total",
        expected: `the number of tasks the expansion produces (${inserted})`,
        actual: String(expansion.total),
      })

    const body: Effect.Effect<CreatedExperiment, E | SqlError | ServiceUnavailable | InvalidInput> =
      Effect.gen(function* () {
        const { now, status } = yield* begin
        yield* insertExperiment(sql, { id, input, status, totalTasks: expansion.total, now })
        yield* insertTaskGroups(sql, id, expansion.counts)
        let inserted = 0
        let queued = 0
        yield* expansion.tasks.pipe(
          Stream.grouped(batchSize),
          Stream.runForEach((chunk) => {
            const batch = prepare(id, Chunk.toReadonlyArray(chunk), counts)
            inserted += batch.rows.length
            queued += batch.rows.filter((row) => row.pending === 0).length
            return Effect.all(
              [
                insertTasks(sql, id, batch.rows, now),
                insertEdges(sql, batch.edges),
                insertBarriers(sql, id, batch.barriers),
              ],
              { discard: true },
            )
          }),
        )
        if (inserted !== expansion.total) return yield* wrongTotal(inserted)
        let final: ExperimentStatus = status
        if (status === "EXECUTING" && expansion.total === 0 && !input.open) {
          final = yield* ExperimentMachine.transition("EXECUTING", "COMPLETED", id).pipe(Effect.orDie)
          yield* setExperimentStatus(sql, id, "EXECUTING", final, now)
        }
        yield* notify(sql, { _tag: "ExperimentChanged", experimentId: id, status: final })
        if (final === "EXECUTING" && queued > 0) yield* notifyReady(sql, [id])
        const summary = yield* selectSummary(sql, id)
        return summary === undefined
          ? yield* Effect.dieMessage(`experiment ${id} vanished`)
          : { summary, leased: [] }
      })
    const described = <A>(effect: Effect.Effect<A, E | SqlError | ServiceUnavailable | InvalidInput>) =>
      Effect.catchIf(
        effect,
        (error): error is SqlError => error instanceof SqlError,
        (error) => Effect.fail(describeFailure(input, id, error)),
      )
    const isSmall = expansion.total > 0 && expansion.total <= batchSize
    return (isSmall ? orUnavailable(described(small)) : transaction(sql)(described(body))).pipe(
      Effect.withSpan("Store.createExperiment", {
        attributes: { experimentId: id, total: expansion.total, offered: offer?.max ?? 0 },
        captureStackTrace: false,
      }),
    )
  }

/** The first `max` rows waiting on nothing, by priority then order: those the claim would pick. */
export const offered = (rows: ReadonlyArray<TaskRow>, max: number): Array<boolean> => {
  const picks = rows
    .map((row, i) => ({ row, i }))
    .filter(({ row }) => row.pending === 0)
    .sort((a, b) => b.row.priority - a.row.priority || a.i - b.i)
    .slice(0, max)
  const flags = rows.map(() => false)
  for (const { i } of picks) flags[i] = true
  return flags
}

/** `createAndLease` without an offer: the experiment alone. */
export const createExperiment =
  (sql: SqlClient.SqlClient) =>
  <E>(
    input: NewExperiment,
    expansion: Expansion<E>,
  ): Effect.Effect<ExperimentSummary, E | CreateExperimentError> =>
    Effect.map(createAndLease(sql, 0)(input, expansion), (created) => created.summary)
