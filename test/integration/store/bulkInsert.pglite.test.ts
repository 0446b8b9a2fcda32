import { StoreLive } from "../../../src/layers/store/StoreLive.js"
import { bulkInsertSuite } from "./bulkInsertSuite.js"

// 1,000,000 on PGlite also passes (≈110 s, heap growth ≤ 2.3 MB; docs/storage.md), but a PGlite
// worker busy that long trips vitest's 60 s worker RPC watchdog, failing the run after the test.
bulkInsertSuite("PGlite", StoreLive.pglite(), 250_000, 600_000)
