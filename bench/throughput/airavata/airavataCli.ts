/** The compiled `airavata` CLI the benchmark's child processes run, and how to start Node for them. */
import { fileURLToPath } from "node:url"

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
export const cli = fileURLToPath(new URL("../../../bin/airavata.mjs", import.meta.url))

/** Extra Node flags from `variable` (space-separated), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
export const nodeArgs = (variable: string): Array<string> =>
  (process.env[variable] ?? "").split(" ").filter((a) => a !== "")
