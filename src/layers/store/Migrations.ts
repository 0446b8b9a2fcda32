/**
 * Applies the forward-only migrations in the package's `sql/` directory with @effect/sql's
 * Migrator. The directory is found relative to this module, which sits at the same depth under
 * `src/` (vitest) and `dist/` (built and published package, which ships `sql/`).
 */

import { fileURLToPath } from "node:url"
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

/** `sql/` of this package. */
export const migrationsDirectory = new URL("../../../sql/", import.meta.url)

const migrationFile = /^(\d+)_([^.]+)\.sql$/

/** Reads every `NNNN_name.sql` file of `directory`; each migration runs its file as one script. */
export const fromSqlDirectory = (directory: URL): Migrator.Loader =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = fileURLToPath(directory)
    const files = yield* fs.readDirectory(path)
    const migrations = yield* Effect.forEach(
      files.flatMap((file) => {
        const match = migrationFile.exec(file)
        return match?.[1] === undefined || match[2] === undefined
          ? []
          : [{ file, id: Number(match[1]), name: match[2] }]
      }),
      ({ file, id, name }) =>
        Effect.map(
          fs.readFileString(`${path}${file}`),
          (text): Migrator.ResolvedMigration => [
            id,
            name,
            Effect.succeed(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text))),
          ],
        ),
    )
    return migrations.sort(([a], [b]) => a - b)
  }).pipe(
    Effect.mapError(
      (error) =>
        new Migrator.MigrationError({ reason: "import-error", message: error.message, cause: error }),
    ),
    Effect.provide(NodeFileSystem.layer),
  )

const run = Migrator.make({})

/**
 * Brings the schema up to date; a no-op when it already is. Retried a few times because two
 * replicas starting together can race to create the bookkeeping table (no delay: the
 * loser's retry finds the table and waits on its lock).
 */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = run({ loader: fromSqlDirectory(migrationsDirectory), table: "airavata_migrations" }).pipe(
  Effect.retry({ times: 3 }),
  Effect.withSpan("Store.migrate"),
)
