import { storeSuite } from "./storeSuite.js"
import { postgresStore } from "./TestDatabase.js"

storeSuite("PostgreSQL", postgresStore())
