import { StoreLive } from "../../../src/layers/store/StoreLive.js"
import { storeSuite } from "./storeSuite.js"

storeSuite("PGlite", StoreLive.pglite())
