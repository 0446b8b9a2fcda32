import { StoreLive } from "../../../src/layers/store/StoreLive.js"
import { bulkInsertSuite } from "./bulkInsertSuite.js"

bulkInsertSuite("PGlite", StoreLive.pglite(), 1_000_000, 900_000)
