/**
 * What the harness side and the worker's handler module agree on. Kept free of imports so the
 * bundled handler module stays small.
 */

/** The handler the worker's handler module registers (see benchHandlers.ts). */
export const handlerName = "bench"

/** The task input that carries the submit time of a latency task (epoch ms, as a string). */
export const submitTimeInput = "t"

/** How many handler ends the handler module waits for before it prints its `Report`. */
export const expectedVariable = "BENCH_EXPECTED"

/** The worker's token, as `airavata worker` reads it. */
export const tokenVariable = "AIRAVATA_WORKER_TOKEN"
