import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option, Redacted } from "effect"
import { WorkerId } from "../../../src/domain/Ids.js"
import { defaultPilotCommand, packageRoot } from "../../../src/layers/compute/local/PilotCommand.js"
import { formatDuration, PilotSpec } from "../../../src/ports/Compute.js"

const repoRoot = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../../..")

describe("the default pilot command", () => {
  it.effect("runs this package's bin/airavata.mjs worker with the current Node", () =>
    Effect.gen(function* () {
      expect(yield* defaultPilotCommand).toEqual(
        Option.some([process.execPath, Path.join(repoRoot, "bin", "airavata.mjs"), "worker"]),
      )
    }),
  )

  it.effect("finds no package root outside the package", () =>
    Effect.gen(function* () {
      expect(yield* packageRoot(Path.join(Os.tmpdir(), "x.js"))).toEqual(Option.none())
      expect(yield* packageRoot(Path.join(repoRoot, "dist", "layers", "compute", "local", "x.js"))).toEqual(
        Option.some(repoRoot),
      )
    }),
  )
})

describe("PilotSpec", () => {
  const fields = {
    workerId: WorkerId.make("w"),
    serverAddress: "[::1]:50051",
    token: Redacted.make("t"),
    workingDir: "/tmp/w",
    slots: 1,
    heartbeatInterval: Duration.seconds(10),
    taskTimeout: Duration.hours(24),
  }

  it("formats durations in the largest exact unit", () => {
    expect(
      ["10 seconds", "90 seconds", "1 hour", "2 minutes", "1500 millis", "0.5 millis"].map((d) =>
        formatDuration(Duration.decode(d as Duration.DurationInput)),
      ),
    ).toEqual(["10s", "90s", "1h", "2m", "1500ms", "1ms"])
  })

  it("keeps the token out of the worker flags and out of its encoded form", () => {
    const spec = new PilotSpec({ ...fields, token: Redacted.make("super-secret") })
    expect(spec.workerArgs.join(" ")).not.toContain("super-secret")
    expect(JSON.stringify(spec)).not.toContain("super-secret")
    expect(String(spec.token)).not.toContain("super-secret")
  })

  it("rejects a server address without a port, zero slots and a zero heartbeat", () => {
    expect(() => new PilotSpec({ ...fields, serverAddress: "localhost" })).toThrow(/host:port/)
    expect(() => new PilotSpec({ ...fields, slots: 0 })).toThrow(/slots/)
    expect(() => new PilotSpec({ ...fields, heartbeatInterval: Duration.zero })).toThrow(/longer than zero/)
  })
})
