import { statisticsSuite } from "./statisticsSuite.js"
import { pgliteStore } from "./TestDatabase.js"

statisticsSuite("PGlite", pgliteStore())
