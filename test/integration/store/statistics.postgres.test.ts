import { statisticsSuite } from "./statisticsSuite.js"
import { postgresStore } from "./TestDatabase.js"

statisticsSuite("PostgreSQL", postgresStore())
