/** The embedded default's data directory: PGlite's database and the workers' task directories. */
import * as Path from "node:path"
import { Options } from "@effect/cli"

export const dataDirOption = Options.directory("data-dir").pipe(
  Options.withDefault(".airavata"),
  Options.map((dir) => Path.resolve(dir)),
  Options.withDescription("Where the embedded database and task directories live"),
)

export const workDir = (dataDir: string) => Path.join(dataDir, "work")
