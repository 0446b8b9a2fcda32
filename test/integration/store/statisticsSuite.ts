/**
 * refreshStatistics on a fresh database, where nothing analyzes the tables (PGlite runs no
 * autovacuum; this machine's PostgreSQL has it off): a table is analyzed when it has grown, and not
 * again until it grows again.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { expect, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { Store } from "../../../src/ports/Store.js"
import { submit, sweep, tenant } from "./fixtures.js"
import type { StoreAndSql } from "./TestDatabase.js"

const pagesKnownToPlanner = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{
        readonly pages: number
      }>`SELECT relpages AS pages FROM pg_class WHERE oid = to_regclass(${table})`,
      (rows) => rows[0]?.pages ?? -1,
    ),
  )

export const statisticsSuite = <E>(engine: string, store: Layer.Layer<StoreAndSql, E>) =>
  layer(store, { timeout: "120 seconds" })(`Store statistics on ${engine}`, (it) => {
    it.effect("refreshStatistics analyzes a table that has grown since its statistics, once", () =>
      Effect.gen(function* () {
        const store = yield* Store
        // A new database: every table small, nothing to analyze.
        expect(yield* store.refreshStatistics).toEqual([])
        expect(yield* pagesKnownToPlanner("tasks")).toBe(0)

        const owner = yield* tenant
        yield* submit(owner, sweep("grown", 3_000))
        const analyzed = yield* store.refreshStatistics
        expect(analyzed).toContain("tasks")
        expect(yield* pagesKnownToPlanner("tasks")).toBeGreaterThan(16)

        // Nothing has grown since.
        expect(yield* store.refreshStatistics).toEqual([])
      }),
    )
  })
