import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { IllegalTransition } from "../../../src/domain/Errors.js"
import {
  ExperimentMachine,
  type StateMachine,
  TaskMachine,
  WorkerMachine,
} from "../../../src/domain/StateMachine.js"
import { ExperimentStatus, TaskStatus, WorkerStatus } from "../../../src/domain/Status.js"

// The expected machines, written out as edge lists independently of the tables in the source.
const parseEdges = (lines: string): ReadonlySet<string> =>
  new Set(
    lines
      .trim()
      .split("\n")
      .map((line) => line.trim().replace(/\s*->\s*/, " -> ")),
  )

const experimentEdges = parseEdges(`
  CREATED -> EXECUTING
  CREATED -> CANCELED
  EXECUTING -> PAUSED
  EXECUTING -> COMPLETED
  EXECUTING -> FAILED
  EXECUTING -> CANCELED
  PAUSED -> EXECUTING
  PAUSED -> COMPLETED
  PAUSED -> FAILED
  PAUSED -> CANCELED
  FAILED -> EXECUTING
`)
const experimentTerminal = new Set(["COMPLETED", "CANCELED"])

const taskEdges = parseEdges(`
  CREATED -> QUEUED
  CREATED -> FAILED
  CREATED -> CANCELED
  QUEUED -> DATA_STAGING
  QUEUED -> FAILED
  QUEUED -> CANCELED
  DATA_STAGING -> ENV_SETUP
  DATA_STAGING -> QUEUED
  DATA_STAGING -> FAILED
  DATA_STAGING -> CANCELED
  ENV_SETUP -> RUNNING
  ENV_SETUP -> QUEUED
  ENV_SETUP -> FAILED
  ENV_SETUP -> CANCELED
  RUNNING -> OUTPUT_STAGING
  RUNNING -> QUEUED
  RUNNING -> FAILED
  RUNNING -> CANCELED
  OUTPUT_STAGING -> COMPLETED
  OUTPUT_STAGING -> QUEUED
  OUTPUT_STAGING -> FAILED
  OUTPUT_STAGING -> CANCELED
  FAILED -> QUEUED
  CANCELED -> CREATED
`)
const taskTerminal = new Set(["COMPLETED"])

const workerEdges = parseEdges(`
  REGISTERED -> IDLE
  REGISTERED -> DISCONNECTED
  REGISTERED -> TERMINATED
  IDLE -> BUSY
  IDLE -> DRAINING
  IDLE -> DISCONNECTED
  IDLE -> TERMINATED
  BUSY -> IDLE
  BUSY -> DRAINING
  BUSY -> DISCONNECTED
  BUSY -> TERMINATED
  DRAINING -> DISCONNECTED
  DRAINING -> TERMINATED
  DISCONNECTED -> IDLE
  DISCONNECTED -> TERMINATED
`)
const workerTerminal = new Set(["TERMINATED"])

const pairs = <S extends string>(states: ReadonlyArray<S>): Array<[S, S]> =>
  states.flatMap((from) => states.map((to): [S, S] => [from, to]))

const checkMachine = <S extends string>(
  name: string,
  machine: StateMachine<S>,
  statuses: ReadonlyArray<S>,
  edges: ReadonlySet<string>,
  terminal: ReadonlySet<string>,
) =>
  describe(name, () => {
    it("knows exactly the statuses of the schema", () => {
      expect([...machine.states].sort()).toEqual([...statuses].sort())
    })

    it("the expected table only mentions real statuses", () => {
      for (const edge of edges) {
        const [from = "", to = ""] = edge.split(" -> ")
        expect(statuses).toContain(from)
        expect(statuses).toContain(to)
      }
    })

    it.effect.each(pairs(statuses))("%s -> %s", ([from, to]) =>
      Effect.gen(function* () {
        const allowed = edges.has(`${from} -> ${to}`)
        expect(machine.canTransition(from, to)).toBe(allowed)
        const result = yield* Effect.either(machine.transition(from, to, "id-1"))
        if (Either.isRight(result)) {
          expect(allowed).toBe(true)
          expect(result.right).toBe(to)
        } else {
          expect(allowed).toBe(false)
          expect(result.left).toBeInstanceOf(IllegalTransition)
          expect(result.left).toMatchObject({ entity: machine.entity, id: "id-1", from, to })
          expect(result.left.code).toBe("INVALID_STATE_TRANSITION")
          expect(result.left.message).toBe(`${machine.entity} id-1 cannot move from ${from} to ${to}`)
        }
      }),
    )

    it.each(statuses)("next(%s) lists exactly the allowed targets", (from) => {
      const expected = statuses.filter((to) => edges.has(`${from} -> ${to}`))
      expect([...machine.next(from)].sort()).toEqual([...expected].sort())
    })

    it.each(statuses)("isTerminal(%s)", (status) => {
      expect(machine.isTerminal(status)).toBe(terminal.has(status))
    })

    it.effect("an IllegalTransition without id names only the entity", () =>
      Effect.gen(function* () {
        const [from, to] = pairs(statuses).find(([f, t]) => !edges.has(`${f} -> ${t}`)) ?? []
        if (from === undefined || to === undefined) return expect.fail("every pair is allowed")
        const error = yield* Effect.flip(machine.transition(from, to))
        expect(error.id).toBeUndefined()
        expect(error.message).toBe(`${machine.entity} cannot move from ${from} to ${to}`)
      }),
    )
  })

checkMachine(
  "ExperimentMachine",
  ExperimentMachine,
  ExperimentStatus.literals,
  experimentEdges,
  experimentTerminal,
)
checkMachine("TaskMachine", TaskMachine, TaskStatus.literals, taskEdges, taskTerminal)
checkMachine("WorkerMachine", WorkerMachine, WorkerStatus.literals, workerEdges, workerTerminal)

describe("machine entities", () => {
  it("each machine reports its own entity", () => {
    expect(ExperimentMachine.entity).toBe("experiment")
    expect(TaskMachine.entity).toBe("task")
    expect(WorkerMachine.entity).toBe("worker")
  })
})
