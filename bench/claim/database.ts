/** A scratch database per benchmark run on the PostgreSQL server, dropped afterwards. */
import { scratchDatabase as scratch } from "../../test/scratchDatabase.js"

export const server = process.env.BENCH_PG ?? "postgres://root@127.0.0.1:5432"

/** `airavata_bench_<random>` for the scope's lifetime; yields its name and URL. */
export const scratchDatabase = scratch({ prefix: "airavata_bench", server })
