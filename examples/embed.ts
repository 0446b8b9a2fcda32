/**
 * Embedding the scheduler, both ways, on examples/sweep.yaml:
 *
 *   1. Effect: the `Scheduler` service on `SchedulerLive.embedded` (PGlite + local workers),
 *      following progress as a Stream;
 *   2. Promises: `createScheduler`, for services that do not use Effect;
 *   3. an open experiment (examples/feed.yaml): tasks added one at a time, then closed.
 *
 * Run from the repository root (worker processes run the built CLI, hence the build):
 *
 *   npm run build && npx vite-node examples/embed.ts
 *
 * In an application, import from "airavata-scheduler" instead of "../src/index.js".
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { Console, Effect, Stream } from "effect"
import { createScheduler, Scheduler, SchedulerLive } from "../src/index.js"

const spec = fileURLToPath(new URL("sweep.yaml", import.meta.url))
const feed = fileURLToPath(new URL("feed.yaml", import.meta.url))
const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "airavata-embed-"))

/** 1. Effect style: submit, print each progress update, then the task counts. */
const effectStyle = Effect.gen(function* () {
  const scheduler = yield* Scheduler
  const submitted = yield* scheduler.submit({ path: spec })
  const id = submitted.experiment.id
  yield* Console.log(`[effect] submitted ${id}: ${submitted.experiment.totalTasks} tasks`)
  yield* scheduler
    .progress(id)
    .pipe(
      Stream.runForEach((s) =>
        Console.log(`[effect] ${s.experiment.status}: ${s.completedTasks} done, ${s.runningTasks} running`),
      ),
    )
  const counts = yield* scheduler.counts(id)
  yield* Console.log(`[effect] finished: ${counts.COMPLETED} completed, ${counts.FAILED} failed`)
}).pipe(Effect.provide(SchedulerLive.embedded({ dataDir, workers: 2 })))

/** 2. Promise style: the same sweep under another name (names are unique per project). */
const promiseStyle = async () => {
  const scheduler = await createScheduler({ dataDir, workers: 2 })
  try {
    const submitted = await scheduler.submit(spec, { name: "sweep-from-promises" })
    console.log(`[promise] submitted ${submitted.experiment.id}`)
    const final = await scheduler.wait(submitted.experiment.id)
    console.log(
      `[promise] ${final.experiment.status}: ${final.completedTasks}/${final.experiment.totalTasks} tasks`,
    )
  } catch (error) {
    // Rejections are the typed errors themselves: `_tag`, `code`, structured fields.
    console.error(error)
    process.exitCode = 1
  } finally {
    await scheduler.close()
  }
}

/** 3. An open experiment: tasks added as work comes, then closed; it finishes with its tasks. */
const openStyle = async () => {
  const scheduler = await createScheduler({ dataDir, workers: 2 })
  try {
    const open = await scheduler.open(feed)
    for (const alpha of ["0.1", "0.2", "0.3"]) {
      const [taskId] = await scheduler.addTasks(open, [{ task: "simulate", inputs: { ALPHA: alpha } }])
      console.log(`[open] added ${taskId} (ALPHA=${alpha})`)
    }
    await scheduler.closeExperiment(open.id)
    const final = await scheduler.wait(open.id)
    console.log(
      `[open] ${final.experiment.status}: ${final.completedTasks}/${final.experiment.totalTasks} tasks`,
    )
  } finally {
    await scheduler.close()
  }
}

await Effect.runPromise(effectStyle)
await promiseStyle()
await openStyle()
console.log(`data (database and task directories): ${dataDir}`)
