/**
 * Every system the harness can measure, by name. The order is the table's order; the first one is
 * the default baseline.
 */
import { airavataSystem } from "./airavata/AiravataSystem.js"
import { graphileSystem } from "./graphile/GraphileSystem.js"
import type { System } from "./System.js"

export const systems: ReadonlyArray<System> = [
  graphileSystem("default"),
  graphileSystem("batching"),
  // Our scheduler: a replica in the harness process, ONE real `airavata worker` over gRPC, with
  // the worker's defaults (`--prefetch auto`).
  airavataSystem("handler"),
  // Fetching only when a slot frees, as graphile-worker's default does.
  airavataSystem("handler", 0),
  // With a local queue like graphile-batching's: 48 assignments waiting beside the 16 running.
  airavataSystem("handler", 48),
  // The replica as `airavata server` in a process of its own, the harness only submitting.
  airavataSystem("handler", "auto", "server-process"),
  // Latency jobs as experiments of their own (a spec per job) instead of tasks added to one.
  airavataSystem("handler", "auto", "in-process", "experiment"),
  airavataSystem("handler", "auto", "server-process", "experiment"),
  // The same with shell tasks (`true`): bounded by process start-up, a row of its own.
  airavataSystem("shell"),
]
