/**
 * The embedded default's data directory: PGlite's database in `<dataDir>/db`, guarded by a lock
 * file `<dataDir>/db.lock` holding the owner's pid. PGlite is one process per database: a second
 * process opening it would corrupt it, so it gets `DataDirInUse` instead. A lock left by a process
 * that died is taken over.
 */
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Effect, Layer, Predicate, Schema } from "effect"
import type { Store } from "../../../ports/Store.js"
import { StoreLive, type StoreStartupError } from "../StoreLive.js"

/** Another process has the embedded database open. */
export class DataDirInUse extends Schema.TaggedError<DataDirInUse>()("DataDirInUse", {
  dataDir: Schema.String,
  pid: Schema.Int,
}) {
  override get message() {
    return `the data directory ${this.dataDir} is in use by process ${this.pid}; wait for it to finish`
  }
}

/** The directory cannot be used at all (permissions, a file in the way). */
export class DataDirUnusable extends Schema.TaggedError<DataDirUnusable>()("DataDirUnusable", {
  dataDir: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return `cannot use the data directory ${this.dataDir}: ${this.reason}`
  }
}

export const storeDir = (dataDir: string) => Path.join(dataDir, "db")
const lockFile = (dataDir: string) => Path.join(dataDir, "db.lock")

const errorCode = (error: unknown): unknown =>
  error instanceof Error && "code" in error ? error.code : undefined

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === "EPERM"
  }
}

const unusable = (dataDir: string) => (error: unknown) =>
  new DataDirUnusable({
    dataDir,
    reason: Predicate.hasProperty(error, "message") ? String(error.message) : String(error),
  })

// false when the file exists.
const createExclusive = (dataDir: string) =>
  Effect.tryPromise({
    try: () =>
      Fs.writeFile(lockFile(dataDir), String(process.pid), { flag: "wx" }).then(
        () => true,
        (error: unknown) => (errorCode(error) === "EEXIST" ? false : Promise.reject(error)),
      ),
    catch: unusable(dataDir),
  })

const lockHolder = (dataDir: string) =>
  Effect.promise(() =>
    Fs.readFile(lockFile(dataDir), "utf8").then(
      (text) => Number.parseInt(text, 10),
      () => Number.NaN,
    ),
  )

const takeLock = (dataDir: string): Effect.Effect<void, DataDirInUse | DataDirUnusable> =>
  Effect.gen(function* () {
    if (yield* createExclusive(dataDir)) return
    const holder = yield* lockHolder(dataDir)
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      return yield* new DataDirInUse({ dataDir, pid: holder })
    }
    yield* Effect.promise(() => Fs.rm(lockFile(dataDir), { force: true }))
    return yield* takeLock(dataDir)
  })

/** Holds `dataDir`'s lock for the scope (the directory must exist). */
const dataDirLock = (dataDir: string) =>
  Effect.acquireRelease(takeLock(dataDir), () =>
    Effect.promise(() => Fs.rm(lockFile(dataDir), { force: true })),
  )

/** Whether `dataDir` already holds a database (commands that only read refuse to create one). */
export const hasDatabase = (dataDir: string) =>
  Effect.promise(() =>
    Fs.stat(Path.join(storeDir(dataDir), "PG_VERSION")).then(
      () => true,
      () => false,
    ),
  )

/** The embedded Store in `dataDir` (created on first use), locked against other processes. */
export const embeddedStore = (
  dataDir: string,
): Layer.Layer<Store, DataDirInUse | DataDirUnusable | StoreStartupError> =>
  Layer.unwrapScoped(
    // `<dataDir>/db` and, with it, `dataDir`, where the lock file goes.
    Effect.tryPromise({
      try: () => Fs.mkdir(storeDir(dataDir), { recursive: true }),
      catch: unusable(dataDir),
    }).pipe(
      Effect.zipRight(dataDirLock(dataDir)),
      Effect.as(StoreLive.pglite({ dataDir: storeDir(dataDir) })),
    ),
  )
