/** How `airavata spec expand` prints an expansion: a JSON document or a tab-separated table. */
import { Chunk, Stream } from "effect"
import type { ExpandedTask, InputValue } from "../../domain/spec/index.js"

/** An input as the user wrote it: text, or `${task[3].OUTPUT}` for an upstream output. */
export const showInput = (value: InputValue): string =>
  typeof value === "string" ? value : `\${${value.task}.${value.output}}`

/** Instance keys waited on, then `name[*]` for each whole-task barrier (`depends_on`). */
export const dependencies = (task: ExpandedTask): Array<string> => [
  ...task.after,
  ...task.afterAll.map((name) => `${name}[*]`),
]

const taskJson = (task: ExpandedTask): string =>
  JSON.stringify({
    name: task.name,
    index: task.index,
    key: task.key,
    inputs: Object.fromEntries(Object.entries(task.inputs).map(([k, v]) => [k, showInput(v)])),
    dependencies: dependencies(task),
  })

const taskRow = (task: ExpandedTask): string => {
  const inputs = Object.entries(task.inputs).map(([k, v]) => `${k}=${showInput(v)}`)
  const deps = dependencies(task)
  return `${task.key}\t${inputs.join(" ") || "-"}\t${deps.join(",") || "-"}\n`
}

/** One string per chunk of tasks: output is produced as the tasks stream, never all at once. */
const perChunk = <E>(
  tasks: Stream.Stream<ExpandedTask, E>,
  render: (task: ExpandedTask, index: number) => string,
): Stream.Stream<string, E> =>
  tasks.pipe(
    Stream.zipWithIndex,
    Stream.mapChunks((chunk) =>
      Chunk.of(
        Chunk.join(
          Chunk.map(chunk, ([t, i]) => render(t, i)),
          "",
        ),
      ),
    ),
  )

/** `{"total": N, "tasks": [ … ]}`, one task per line. */
export const renderJson = <E>(
  total: number,
  tasks: Stream.Stream<ExpandedTask, E>,
): Stream.Stream<string, E> =>
  Stream.make(`{"total":${total},"tasks":[`).pipe(
    Stream.concat(perChunk(tasks, (t, i) => (i === 0 ? "\n" : ",\n") + taskJson(t))),
    Stream.concat(Stream.make("\n]}\n")),
  )

/** A header, then `KEY<TAB>INPUTS<TAB>DEPENDENCIES` per task. */
export const renderTable = <E>(tasks: Stream.Stream<ExpandedTask, E>): Stream.Stream<string, E> =>
  Stream.make("KEY\tINPUTS\tDEPENDENCIES\n").pipe(Stream.concat(perChunk(tasks, taskRow)))
