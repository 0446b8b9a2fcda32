import { bulkInsertSuite } from "./bulkInsertSuite.js"
import { postgresStore } from "./TestDatabase.js"

bulkInsertSuite("PostgreSQL", postgresStore(), 1_000_000, 900_000)
