/**
 * Which Store a command works against: the embedded database in a data directory (`--data-dir`,
 * default `.airavata`) or a PostgreSQL server (`--database-url`, else `DATABASE_URL` unless a data
 * directory was named explicitly). Commands spread `storeOptions` into their config and run with
 * `storeLayer(flags)`.
 */
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Options } from "@effect/cli"
import { Config, type ConfigError, Effect, Layer, Option, Predicate, Redacted, Schema } from "effect"
import { StoreLive, type StoreStartupError } from "../layers/store/StoreLive.js"
import type { Store } from "../ports/Store.js"
import { InvalidInput } from "./InvalidInput.js"
import { embeddedStore, storeDir } from "./run/dataDir.js"

/** Where the Store lives. */
export type StoreTarget =
  | { readonly _tag: "Embedded"; readonly dataDir: string }
  | { readonly _tag: "Postgres"; readonly url: Redacted.Redacted }

/** The flags `storeOptions` parse to. */
export interface StoreFlags {
  readonly dataDir: Option.Option<string>
  readonly databaseUrl: Option.Option<Redacted.Redacted>
}

/** `--data-dir` and `--database-url`, for every command that reads or writes experiments. */
export const storeOptions = {
  // Text, not Options.directory: that check reports an unusable path as a raw file system error.
  dataDir: Options.text("data-dir").pipe(
    Options.map((dir) => Path.resolve(dir)),
    Options.optional,
    Options.withDescription("Embedded database directory (default .airavata, unless DATABASE_URL is set)"),
  ),
  databaseUrl: Options.redacted("database-url").pipe(
    Options.optional,
    Options.withDescription(
      "PostgreSQL URL, e.g. postgres://user@host:5432/airavata (default: DATABASE_URL)",
    ),
  ),
} as const

const DEFAULT_DATA_DIR = ".airavata"

/** An explicit flag wins; `DATABASE_URL` only counts when no data directory was named. */
export const resolveStoreTarget = (
  flags: StoreFlags,
): Effect.Effect<StoreTarget, InvalidInput | ConfigError.ConfigError> =>
  Effect.gen(function* () {
    if (Option.isSome(flags.dataDir) && Option.isSome(flags.databaseUrl)) {
      return yield* new InvalidInput({ message: "give either --data-dir or --database-url, not both" })
    }
    if (Option.isSome(flags.dataDir)) return { _tag: "Embedded", dataDir: flags.dataDir.value } as const
    if (Option.isSome(flags.databaseUrl)) return { _tag: "Postgres", url: flags.databaseUrl.value } as const
    const fromEnv = yield* Config.option(Config.redacted("DATABASE_URL"))
    return Option.match(fromEnv, {
      onNone: (): StoreTarget => ({ _tag: "Embedded", dataDir: Path.resolve(DEFAULT_DATA_DIR) }),
      onSome: (url): StoreTarget => ({ _tag: "Postgres", url }),
    })
  })

/** Another process has the embedded database open; PGlite allows one process per directory. */
export class DataDirInUse extends Schema.TaggedError<DataDirInUse>()("DataDirInUse", {
  dataDir: Schema.String,
  pid: Schema.Int,
}) {
  override get message() {
    return `the data directory ${this.dataDir} is in use by process ${this.pid}; wait for it to finish`
  }
}

/** The Store could not be opened: the server is unreachable, the database missing, a migration failed. */
export class StoreUnreachable extends Schema.TaggedError<StoreUnreachable>()("StoreUnreachable", {
  /** The target, without credentials. */
  target: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return `cannot open the store (${this.target}): ${this.reason}`
  }
}

/** The target for messages: a data directory, or the URL without user and password. */
export const describeTarget = (target: StoreTarget): string => {
  if (target._tag === "Embedded") return `data directory ${target.dataDir}`
  try {
    const url = new URL(Redacted.value(target.url))
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return "the database URL given"
  }
}

// SqlError's own message is generic ("Failed to connect"); the driver's cause says why.
const reasonOf = (error: StoreStartupError): string => {
  const cause: unknown = error.cause
  const detail = Predicate.hasProperty(cause, "message") ? String(cause.message) : ""
  return detail === "" || detail === error.message ? error.message : `${error.message}: ${detail}`
}

const lockFile = (dataDir: string) => Path.join(dataDir, "db.lock")

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && "code" in error && error.code === "EPERM"
  }
}

const errorCode = (error: unknown): unknown =>
  error instanceof Error && "code" in error ? error.code : undefined

// The directory cannot be used at all (permissions, a file in the way): reported, not a crash.
const unusableDir = (dataDir: string) => (error: unknown) =>
  new StoreUnreachable({
    target: `data directory ${dataDir}`,
    reason: Predicate.hasProperty(error, "message") ? String(error.message) : String(error),
  })

// false when the file exists.
const createExclusive = (dataDir: string, file: string) =>
  Effect.tryPromise({
    try: () =>
      Fs.writeFile(file, String(process.pid), { flag: "wx" }).then(
        () => true,
        (error: unknown) => (errorCode(error) === "EEXIST" ? false : Promise.reject(error)),
      ),
    catch: unusableDir(dataDir),
  })

const lockHolder = (file: string) =>
  Effect.promise(() =>
    Fs.readFile(file, "utf8").then(
      (text) => Number.parseInt(text, 10),
      () => Number.NaN,
    ),
  )

// A lock left by a process that died is taken over.
const takeLock = (dataDir: string): Effect.Effect<void, DataDirInUse | StoreUnreachable> =>
  Effect.gen(function* () {
    const file = lockFile(dataDir)
    if (yield* createExclusive(dataDir, file)) return
    const holder = yield* lockHolder(file)
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      return yield* new DataDirInUse({ dataDir, pid: holder })
    }
    yield* Effect.promise(() => Fs.rm(file, { force: true }))
    return yield* takeLock(dataDir)
  })

/** Holds `dataDir`'s lock file for the scope, so two CLI processes never open one PGlite database. */
export const dataDirLock = (dataDir: string) =>
  Effect.acquireRelease(takeLock(dataDir), () =>
    Effect.promise(() => Fs.rm(lockFile(dataDir), { force: true })),
  )

const hasDatabase = (dataDir: string) =>
  Effect.promise(() =>
    Fs.stat(Path.join(storeDir(dataDir), "PG_VERSION")).then(
      () => true,
      () => false,
    ),
  )

/** The Store of `target`. Unless `create`, an embedded directory without a database is an error. */
export const targetLayer = (
  target: StoreTarget,
  options: { readonly create: boolean },
): Layer.Layer<Store, StoreUnreachable | InvalidInput | DataDirInUse> => {
  const unreachable = (error: StoreStartupError) =>
    new StoreUnreachable({ target: describeTarget(target), reason: reasonOf(error) })
  if (target._tag === "Postgres") {
    return StoreLive.postgres({ url: target.url, maxConnections: 2 }).pipe(Layer.mapError(unreachable))
  }
  const { dataDir } = target
  return Layer.unwrapScoped(
    Effect.gen(function* () {
      if (!options.create && !(yield* hasDatabase(dataDir))) {
        return yield* new InvalidInput({
          message: `no airavata database in ${dataDir}: pass --data-dir DIR or --database-url URL (or set DATABASE_URL)`,
        })
      }
      yield* Effect.tryPromise({
        try: () => Fs.mkdir(dataDir, { recursive: true }),
        catch: unusableDir(dataDir),
      })
      yield* dataDirLock(dataDir)
      return embeddedStore(dataDir).pipe(Layer.mapError(unreachable))
    }),
  )
}

/** The Store the flags name; see `targetLayer`. */
export const storeLayer = (
  flags: StoreFlags,
  options: { readonly create: boolean } = { create: false },
): Layer.Layer<Store, StoreUnreachable | InvalidInput | DataDirInUse | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(resolveStoreTarget(flags), (target) => targetLayer(target, options)))
