import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck as fc, Stream } from "effect"
import { stringify } from "yaml"
import { type ExpandedTask, expand, loadSpec, OutputRef } from "../../../src/domain/spec/index.js"

/** A generated task: sweep dimensions, and indices of earlier tasks it fans out over / waits on. */
interface ModelTask {
  readonly dims: ReadonlyArray<{ readonly kind: "list"; readonly size: number } | RangeDim>
  readonly foreach: ReadonlyArray<number>
  readonly dependsOn: ReadonlyArray<number>
  readonly refSingle: boolean
}
interface RangeDim {
  readonly kind: "range"
  readonly start: number
  readonly size: number
  readonly step: number
}

const MAX_INSTANCES = 500

const dim = fc.oneof(
  fc.record({ kind: fc.constant("list" as const), size: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    kind: fc.constant("range" as const),
    start: fc.integer({ min: -5, max: 5 }),
    size: fc.integer({ min: 1, max: 4 }),
    step: fc.integer({ min: 1, max: 3 }),
  }),
)

const rawTask = fc.record({
  dims: fc.array(dim, { maxLength: 3 }),
  foreach: fc.uniqueArray(fc.nat(), { maxLength: 2 }),
  dependsOn: fc.uniqueArray(fc.nat(), { maxLength: 2 }),
  refSingle: fc.boolean(),
})

/** Tasks in topological order (dependencies point to earlier tasks), sizes capped to keep runs quick. */
const model = fc
  .record({ tasks: fc.array(rawTask, { minLength: 1, maxLength: 5 }), order: fc.nat() })
  .map(({ tasks, order }) => {
    const counts: Array<number> = []
    const out: Array<ModelTask> = tasks.map((t, i) => {
      const earlier = (xs: ReadonlyArray<number>) => [...new Set(xs.filter((x) => x < i))]
      const own = t.dims.reduce((p, d) => p * d.size, 1)
      let foreach = earlier(t.foreach)
      while (foreach.reduce((p, f) => p * (counts[f] ?? 1), own) > MAX_INSTANCES) foreach = foreach.slice(1)
      counts.push(foreach.reduce((p, f) => p * (counts[f] ?? 1), own))
      return { dims: t.dims, foreach, dependsOn: earlier(t.dependsOn), refSingle: t.refSingle }
    })
    return { tasks: out, counts, order }
  })

const name = (i: number) => `t${i}`

/** The spec text, with tasks written in a rotated order so the expander must sort them itself. */
const specText = (m: {
  readonly tasks: ReadonlyArray<ModelTask>
  readonly counts: ReadonlyArray<number>
  readonly order: number
}) => {
  const entries = m.tasks.map((t, i) => {
    const inputs: Record<string, unknown> = {}
    t.dims.forEach((d, j) => {
      inputs[`D${j}`] =
        d.kind === "list"
          ? Array.from({ length: d.size }, (_, k) => `v${k}`)
          : `${d.start}..${d.start + (d.size - 1) * d.step}:${d.step}`
    })
    for (const f of t.foreach) inputs[`IN_${f}`] = `\${${name(f)}.OUT}`
    const single = m.counts.findIndex((c, j) => j < i && c === 1 && !t.foreach.includes(j))
    if (t.refSingle && single >= 0) inputs[`SINGLE_${single}`] = `\${${name(single)}.OUT}`
    const task = {
      command: "true",
      task_inputs: inputs,
      task_outputs: { OUT: "out.txt" },
      foreach: t.foreach.map(name),
      depends_on: t.dependsOn.map(name),
    }
    return [name(i), task] as const
  })
  const shift = m.order % entries.length
  const rotated = [...entries.slice(shift), ...entries.slice(0, shift)]
  return stringify({ tasks: Object.fromEntries(rotated) })
}

const collect = (text: string) =>
  Effect.gen(function* () {
    const expansion = expand(yield* loadSpec(text, "generated.yaml"))
    const tasks: ReadonlyArray<ExpandedTask> = Chunk.toReadonlyArray(
      yield* Stream.runCollect(expansion.tasks),
    )
    return { expansion, tasks }
  })

describe("expand (properties)", () => {
  it.effect.prop(
    "total and per-task counts are the products of foreach counts and dimensions",
    [model],
    ([m]) =>
      Effect.gen(function* () {
        const { expansion, tasks } = yield* collect(specText(m))
        const expected = m.counts.map((count, i) => ({ name: name(i), count }))
        expect([...expansion.counts].sort((a, b) => a.name.localeCompare(b.name))).toEqual(
          expected.sort((a, b) => a.name.localeCompare(b.name)),
        )
        expect(expansion.total).toBe(m.counts.reduce((a, b) => a + b, 0))
        expect(tasks.length).toBe(expansion.total)
      }),
  )

  it.effect.prop("keys are unique and every dependency comes before its dependant", [model], ([m]) =>
    Effect.gen(function* () {
      const { tasks } = yield* collect(specText(m))
      const position = new Map<string, number>()
      const lastOfTask = new Map<string, number>()
      tasks.forEach((t, i) => {
        expect(t.key).toBe(`${t.name}[${t.index}]`)
        position.set(t.key, i)
        lastOfTask.set(t.name, i)
      })
      expect(position.size).toBe(tasks.length)
      tasks.forEach((t, i) => {
        for (const key of t.after) expect(position.get(key)).toBeLessThan(i)
        for (const name of t.afterAll) expect(lastOfTask.get(name)).toBeLessThan(i)
        for (const value of Object.values(t.inputs)) {
          if (value instanceof OutputRef) expect(t.after).toContain(value.task)
        }
      })
    }),
  )

  it.effect.prop(
    "foreach binds instance i of the dependant to instance i of the upstream task",
    [fc.array(dim, { minLength: 1, maxLength: 3 })],
    ([dims]) =>
      Effect.gen(function* () {
        const m = {
          tasks: [
            { dims, foreach: [], dependsOn: [], refSingle: false },
            { dims: [], foreach: [0], dependsOn: [], refSingle: false },
          ],
          counts: [dims.reduce((p, d) => p * d.size, 1), dims.reduce((p, d) => p * d.size, 1)],
          order: 1,
        }
        const { tasks } = yield* collect(specText(m))
        const second = tasks.filter((t) => t.name === "t1")
        expect(second.length).toBe(m.counts[0])
        for (const t of second) {
          expect(t.inputs.IN_0).toEqual(OutputRef.make({ task: `t0[${t.index}]`, output: "OUT" }))
          expect(t.after).toEqual([`t0[${t.index}]`])
        }
      }),
  )
})
