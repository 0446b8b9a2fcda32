/**
 * The Store suite, one body for every engine: each engine's test file calls it with its layer,
 * built once for the file (PGlite costs ≈ 4 s and ≈ 800 MB to start).
 */
import { layer } from "@effect/vitest"
import type { Layer } from "effect"
import { claimTests } from "./claimTests.js"
import { controlTests } from "./controlTests.js"
import { dependencyTests } from "./dependencyTests.js"
import { feedTests } from "./feedTests.js"
import { leaseTests } from "./leaseTests.js"
import { openTests } from "./openTests.js"
import { registryTests } from "./registryTests.js"
import { reportTests } from "./reportTests.js"
import { retryTests } from "./retryTests.js"
import type { StoreAndSql } from "./TestDatabase.js"

export const storeSuite = <E>(engine: string, store: Layer.Layer<StoreAndSql, E>) =>
  layer(store, { timeout: "120 seconds" })(`Store on ${engine}`, (it) => {
    claimTests(it)
    dependencyTests(it)
    controlTests(it)
    retryTests(it)
    reportTests(it)
    registryTests(it)
    feedTests(it)
    leaseTests(it)
    openTests(it)
  })
