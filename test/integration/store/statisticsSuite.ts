/**
 * Maintenance on a fresh database, where nothing vacuums or analyzes the tables (PGlite runs no
 * autovacuum; this machine's PostgreSQL has it off): refreshStatistics analyzes a table when it
 * has grown, and not again until it grows again; reclaimSpace makes the space finished tasks left
 * behind reusable.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { expect, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { Store } from "../../../src/ports/Store.js"
import { cleanSlate, drain, finish, submit, sweep, tenant, worker } from "./fixtures.js"
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

const heapPages = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{
        readonly pages: number
      }>`SELECT pg_relation_size(to_regclass(${table})) / current_setting('block_size')::int AS pages`,
      (rows) => Number(rows[0]?.pages ?? -1),
    ),
  )

/** Submits `count` tasks, claims and completes them all; returns how many pages `tasks` grew by. */
const runThrough = (name: string, count: number) =>
  Effect.gen(function* () {
    const store = yield* Store
    const owner = yield* tenant
    const workerId = yield* worker(owner)
    const before = yield* heapPages("tasks")
    yield* submit(owner, sweep(name, count))
    const claimed = yield* drain(workerId, 500)
    expect(claimed).toHaveLength(count)
    yield* store.reportMany(claimed.map((c) => finish(c)))
    return (yield* heapPages("tasks")) - before
  })

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

    it.effect("reclaimSpace lets the next tasks reuse the space finished tasks left behind", () =>
      Effect.gen(function* () {
        const store = yield* Store
        yield* cleanSlate
        // Each task leaves dead row versions (its claim's, its completion's) until a VACUUM.
        const first = yield* runThrough("first", 2_000)
        expect(first).toBeGreaterThan(16)
        yield* store.reclaimSpace
        // The same work again fits mostly in the space reclaimed; without it, it grew as much.
        const second = yield* runThrough("second", 2_000)
        expect(second).toBeLessThan(first / 2)
      }),
    )
  })
