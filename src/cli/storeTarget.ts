/**
 * Which Store a command works against: the embedded database in a data directory (`--data-dir`,
 * default `.airavata`) or a PostgreSQL server (`--database-url`, else `DATABASE_URL` unless a data
 * directory was named explicitly). Commands spread `storeOptions` into their config and run with
 * `storeLayer(flags)`.
 */
import * as Path from "node:path"
import { Options } from "@effect/cli"
import { Config, type ConfigError, Effect, Layer, Option, Predicate, Redacted, Schema } from "effect"
import { type DataDirInUse, embeddedStore, hasDatabase } from "../layers/store/pglite/DataDir.js"
import { StoreLive, type StoreStartupError } from "../layers/store/StoreLive.js"
import type { Store } from "../ports/Store.js"
import { InvalidInput } from "./InvalidInput.js"

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
  return Layer.unwrapEffect(
    Effect.gen(function* () {
      if (!options.create && !(yield* hasDatabase(dataDir))) {
        return yield* new InvalidInput({
          message: `no airavata database in ${dataDir}: pass --data-dir DIR or --database-url URL (or set DATABASE_URL)`,
        })
      }
      return embeddedStore(dataDir).pipe(
        Layer.catchAll((error) =>
          Layer.fail(
            error._tag === "DataDirInUse"
              ? error
              : error._tag === "DataDirUnusable"
                ? new StoreUnreachable({ target: `data directory ${dataDir}`, reason: error.reason })
                : unreachable(error),
          ),
        ),
      )
    }),
  )
}

/** The Store the flags name; see `targetLayer`. */
export const storeLayer = (
  flags: StoreFlags,
  options: { readonly create: boolean } = { create: false },
): Layer.Layer<Store, StoreUnreachable | InvalidInput | DataDirInUse | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(resolveStoreTarget(flags), (target) => targetLayer(target, options)))
