/** Shared helpers for the compute integration tests: real pilot processes, temporary directories. */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { Chunk, Duration, Effect, Redacted, Schedule, Schema, TestClock, TestServices } from "effect"
import { WorkerId } from "../../../src/domain/Ids.js"
import * as LocalCompute from "../../../src/layers/compute/local/LocalCompute.js"
import { PilotSpec } from "../../../src/ports/Compute.js"

/** The stand-in pilot script. */
export const FIXTURE = fileURLToPath(new URL("./fixtures/pilot.mjs", import.meta.url))

/** The token every test pilot gets. */
export const TOKEN = "s3cr3t-token-value"

/** The local provider running the fixture instead of `airavata worker`, with a 5 s grace. */
export const testLayer = LocalCompute.layer({ command: [process.execPath, FIXTURE], grace: "5 seconds" })

/** A temporary working directory, removed with the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "compute-test-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })),
)

export const makeSpec = (
  workingDir: string,
  workerId: string,
  env: Record<string, string> = {},
  handlersModule?: string,
): PilotSpec =>
  new PilotSpec({
    workerId: WorkerId.make(workerId),
    serverAddress: "127.0.0.1:50051",
    token: Redacted.make(TOKEN),
    workingDir,
    slots: 4,
    heartbeatInterval: Duration.seconds(10),
    taskTimeout: Duration.hours(1),
    env,
    ...(handlersModule === undefined ? {} : { handlersModule }),
  })

/** What the fixture writes about itself once its signal handlers are installed. */
export const PilotReport = Schema.Struct({
  argv: Schema.Array(Schema.String),
  token: Schema.NullOr(Schema.String),
  extra: Schema.NullOr(Schema.String),
  cwd: Schema.String,
  pid: Schema.Int,
  grandchild: Schema.NullOr(Schema.Int),
})
const decodeReport = Schema.decodeUnknownSync(Schema.parseJson(PilotReport))

/**
 * Completes once `check` returns a value for the file at `path`, re-checking on every change in its
 * directory (inotify), so the test waits for the pilot without sleeping.
 */
export const waitForFile = <A>(path: string, check: (content: string) => A | undefined): Effect.Effect<A> =>
  Effect.async<A>((resume) => {
    const attempt = (): boolean => {
      if (!Fs.existsSync(path)) return false
      const found = check(Fs.readFileSync(path, "utf8"))
      if (found === undefined) return false
      resume(Effect.succeed(found))
      return true
    }
    Fs.mkdirSync(Path.dirname(path), { recursive: true })
    const watcher = Fs.watch(Path.dirname(path), () => {
      if (attempt()) watcher.close()
    })
    if (attempt()) watcher.close()
    return Effect.sync(() => watcher.close())
  })

/** The fixture's report for `workerId`, once it is ready. */
export const awaitReport = (workingDir: string, workerId: string) =>
  waitForFile(Path.join(workingDir, `${workerId}.report.json`), decodeReport)

/** Waits until the pilot's log contains `text`. */
export const awaitLog = (workingDir: string, workerId: string, text: string) =>
  waitForFile(LocalCompute.pilotLogFile(workingDir, workerId), (content) =>
    content.includes(text) ? content : undefined,
  )

/** Waits until at least `n` sleeps are registered with the TestClock, so that `adjust` reaches them. */
export const awaitSleeps = (n: number): Effect.Effect<void> =>
  TestClock.sleeps().pipe(
    Effect.flatMap((sleeps) =>
      Chunk.size(sleeps) >= n ? Effect.void : Effect.zipRight(Effect.yieldNow(), awaitSleeps(n)),
    ),
  )

const statFields = (pid: number): ReadonlyArray<string> | undefined => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  } catch {
    return undefined
  }
}

/** Whether `pid` is a live process: absent or zombie (exited, not yet reaped) counts as gone. */
export const isAlive = (pid: number): boolean => {
  const state = statFields(pid)?.[0]
  return state !== undefined && state !== "Z" && state !== "X"
}

/**
 * Whether `pid` is gone within 5 s of real time. For a process the provider does not reap itself
 * (a grandchild in the pilot's group): SIGKILL is delivered asynchronously, so it may still show
 * as running for a moment after the signal was sent. Polls /proc on the live clock.
 */
export const awaitGone = (pid: number): Effect.Effect<boolean> =>
  Effect.sync(() => !isAlive(pid)).pipe(
    Effect.repeat({
      until: (gone) => gone,
      schedule: Schedule.spaced("10 millis").pipe(Schedule.upTo("5 seconds")),
    }),
    Effect.zipRight(Effect.sync(() => !isAlive(pid))),
    TestServices.provideLive,
  )

/** The process group of `pid`. */
export const processGroup = (pid: number): number => Number(statFields(pid)?.[2])

/** A NUL-separated /proc file of `pid` as a list (cmdline, environ). */
export const procList = (pid: number, file: "cmdline" | "environ"): ReadonlyArray<string> =>
  Fs.readFileSync(`/proc/${pid}/${file}`, "utf8").split("\0")
