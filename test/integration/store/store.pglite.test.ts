import { storeSuite } from "./storeSuite.js"
import { pgliteStore } from "./TestDatabase.js"

storeSuite("PGlite", pgliteStore())
