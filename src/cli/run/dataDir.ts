/** The embedded default's data directory: PGlite's database and the workers' task directories. */
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Options } from "@effect/cli"
import { Effect, Layer } from "effect"
import { StoreLive } from "../../layers/store/StoreLive.js"

export const dataDirOption = Options.directory("data-dir").pipe(
  Options.withDefault(".airavata"),
  Options.map((dir) => Path.resolve(dir)),
  Options.withDescription("Where the embedded database and task directories live"),
)

export const storeDir = (dataDir: string) => Path.join(dataDir, "db")
export const workDir = (dataDir: string) => Path.join(dataDir, "work")

/** The embedded Store in `dataDir`, created on first use. */
export const embeddedStore = (dataDir: string) =>
  Layer.unwrapEffect(
    Effect.promise(() => Fs.mkdir(storeDir(dataDir), { recursive: true })).pipe(
      Effect.as(StoreLive.pglite({ dataDir: storeDir(dataDir) })),
    ),
  )
