/**
 * Bundles benchHandlers.ts (and the harness files it imports) into one plain ESM file the compiled
 * `airavata worker` can import. Libraries stay external imports, and the file is written under the
 * repository's node_modules/.cache so that they resolve to the very packages the worker loads.
 * esbuild is the one vite (hence vitest and vite-node) already brings.
 */
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { build } from "esbuild"
import { reasonOf, SystemFailed } from "../BenchErrors.js"

const entry = fileURLToPath(new URL("./benchHandlers.ts", import.meta.url))
const outfile = fileURLToPath(
  new URL("../../../node_modules/.cache/bench-throughput/benchHandlers.mjs", import.meta.url),
)

/** Builds the handler module; yields its path, for `airavata worker --handlers`. */
export const buildHandlerModule = (system: string) =>
  Effect.tryPromise({
    try: () =>
      build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        packages: "external",
        format: "esm",
        platform: "node",
        target: "node20",
        logLevel: "silent",
      }),
    catch: (cause) =>
      new SystemFailed({ system, operation: "build handler module", reason: reasonOf(cause) }),
  }).pipe(Effect.as(outfile))
