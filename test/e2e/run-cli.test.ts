/**
 * `airavata run` end to end on the embedded default: PGlite, a scheduler on loopback, real worker
 * processes over gRPC, real bash tasks. Asserts what a user sees: exit code, summary, files.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { airavata } from "./cli.js"

const tempDir = () => Fs.mkdtempSync(Path.join(Os.tmpdir(), "airavata-run-"))

/** Every file named `name` under `dir`, recursively. */
const find = (dir: string, name: string): Array<string> =>
  Fs.readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((p) => Path.basename(p) === name)
    .map((p) => Path.join(dir, p))

describe("airavata run (e2e)", () => {
  it.layer(NodeContext.layer)((it) => {
    it.effect(
      "runs the sweep example to completion on local workers and leaves every result file",
      () =>
        Effect.gen(function* () {
          const dir = tempDir()
          const run = yield* airavata(["run", "examples/sweep.yaml", "--workers", "2", "--data-dir", dir])
          expect(run.stdout).toMatch(/^COMPLETED experiment exp_/m)
          expect(run.stdout).toContain("done 12 failed 0")
          expect(run.exitCode).toBe(0)
          const results = find(Path.join(dir, "work"), "result.txt").map((f) => Fs.readFileSync(f, "utf8"))
          expect(results).toHaveLength(12)
          expect(results).toContain("alpha=0.5 n=3 sum=0.875000\n")
          expect(find(Path.join(dir, "work"), "stdout.log")).toHaveLength(12)
        }),
      120_000,
    )

    it.effect(
      "runs the DAG example: each analyze reads its simulate's output, summarize runs last",
      () =>
        Effect.gen(function* () {
          const dir = tempDir()
          const run = yield* airavata(["run", "examples/dag.yaml", "--workers", "2", "--data-dir", dir])
          expect(run.exitCode).toBe(0)
          const stats = find(Path.join(dir, "work"), "stats.txt").map((f) => Fs.readFileSync(f, "utf8"))
          expect(stats).toHaveLength(4)
          for (const s of stats) expect(s).toMatch(/^mean=-?\d+\.\d{4} max=-?\d+\.\d{4}\n$/)
          expect(find(Path.join(dir, "work"), "report.txt")).toHaveLength(1)
        }),
      120_000,
    )

    it.effect(
      "exits 1 when a task fails for good, names it and its error, and cancels what depended on it",
      () =>
        Effect.gen(function* () {
          const dir = tempDir()
          const run = yield* airavata([
            "run",
            "test/fixtures/run/failing.yaml",
            "--workers",
            "2",
            "--data-dir",
            dir,
          ])
          expect(run.exitCode).toBe(1)
          expect(run.stdout).toMatch(/^FAILED experiment/m)
          expect(run.stdout).toContain("done 2 failed 1 canceled 1")
          expect(run.stdout).toMatch(/work\[1\]: .*exit(ed)? (with )?code 3/)
          expect(find(Path.join(dir, "work"), "out.txt")).toHaveLength(2)
        }),
      120_000,
    )

    it.effect(
      "a second run in the same data directory is a new experiment; a directory in use is refused",
      () =>
        Effect.gen(function* () {
          const dir = tempDir()
          const args = ["run", "test/fixtures/run/tiny.yaml", "--workers", "1", "--data-dir", dir]
          const first = yield* airavata(args)
          const second = yield* airavata(args)
          expect([first.exitCode, second.exitCode]).toEqual([0, 0])
          expect(first.stderr).toMatch(/experiment exp_\S+: tiny,/)
          expect(second.stderr).toMatch(/experiment exp_\S+: tiny-2,/)
          const list = yield* airavata(["experiment", "list", "--data-dir", dir])
          expect(list.stdout).toContain("tiny-2")

          // A live process holds the lock (this test's own pid): PGlite must not be opened twice.
          Fs.writeFileSync(Path.join(dir, "db.lock"), String(process.pid))
          const refused = yield* airavata(args)
          expect(refused.exitCode).not.toBe(0)
          expect(refused.stderr).toContain(`in use by process ${process.pid}`)
          // A lock left by a dead process is taken over.
          Fs.writeFileSync(Path.join(dir, "db.lock"), "2147483646")
          const third = yield* airavata(args)
          expect(third.exitCode).toBe(0)
          expect(third.stderr).toMatch(/: tiny-3,/)
        }),
      120_000,
    )
  })
})
