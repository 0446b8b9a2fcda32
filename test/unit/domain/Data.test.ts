import { describe, expect, it } from "@effect/vitest"
import { AuditEntry } from "../../../src/domain/Audit.js"
import { CacheEntry, DataLineageRecord, FileMetadata, Sha256 } from "../../../src/domain/Data.js"
import { decodeFails, decodeOk, roundTrips, sha, t0, t1 } from "./decode.js"

describe("FileMetadata", () => {
  const file = { path: "inputs/a.dat", size: 1024, checksum: sha, type: "input" }

  it.each(["input", "output", "intermediate"])("decodes a file of type %s", (type) => {
    const decoded = decodeOk(FileMetadata, { ...file, type })
    expect(decoded.type).toBe(type)
    roundTrips(FileMetadata, decoded)
  })

  it.each([
    ["63 digits", "a".repeat(63)],
    ["65 digits", "a".repeat(65)],
    ["upper case", "A".repeat(64)],
    ["a sha256: prefix", `sha256:${"a".repeat(64)}`],
    ["non-hex", "g".repeat(64)],
  ])("rejects a checksum with %s", (_, checksum) => {
    decodeFails(
      FileMetadata,
      { ...file, checksum },
      "checksum",
      "expected a SHA-256 checksum: 64 lowercase hex digits",
    )
  })

  it("rejects a negative size, an empty path and an unknown type", () => {
    decodeFails(FileMetadata, { ...file, size: -1 }, "size", "non-negative")
    decodeFails(FileMetadata, { ...file, path: "" }, "path", "non empty")
    decodeFails(FileMetadata, { ...file, type: "temp" }, "type", '"intermediate"')
  })

  it("accepts the digest of the empty string", () => {
    const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    expect(Sha256.make(empty)).toBe(empty)
  })
})

describe("CacheEntry", () => {
  it("decodes, defaulting to the compute resource's shared storage", () => {
    const decoded = decodeOk(CacheEntry, {
      checksum: sha,
      path: "/scratch/cache/aa/aaaa",
      computeResourceId: "c1",
      sizeBytes: 5,
      cachedAt: t0,
      lastAccessedAt: t1,
    })
    expect(decoded.locationType).toBe("COMPUTE_STORAGE")
    roundTrips(CacheEntry, decoded)
  })
})

describe("DataLineageRecord", () => {
  const record = {
    id: "l1",
    transferType: "STAGE_IN",
    sourcePath: "s3://bucket/a.dat",
    destinationPath: "/work/t1/a.dat",
    sourceChecksum: sha,
    destinationChecksum: sha,
    sizeBytes: 10,
    durationMs: 3,
    taskId: "t1",
    transferredAt: t0,
  }

  it("decodes a successful transfer", () => {
    const decoded = decodeOk(DataLineageRecord, record)
    expect(decoded.success).toBe(true)
    roundTrips(DataLineageRecord, decoded)
  })

  it("requires an error for a failed transfer", () => {
    decodeFails(DataLineageRecord, { ...record, success: false }, "error", "a failed transfer needs an error")
    expect(decodeOk(DataLineageRecord, { ...record, success: false, error: "timeout" }).error).toBe("timeout")
  })

  it("rejects an unknown transfer type and a bad checksum", () => {
    decodeFails(DataLineageRecord, { ...record, transferType: "COPY" }, "transferType", '"STAGE_OUT"')
    decodeFails(
      DataLineageRecord,
      { ...record, destinationChecksum: "x" },
      "destinationChecksum",
      "64 lowercase",
    )
  })
})

describe("AuditEntry", () => {
  const entry = {
    id: "a1",
    timestamp: t0,
    actor: { type: "USER", id: "u1" },
    action: "credential.resolve",
    resourceType: "CREDENTIAL",
    resourceId: "k1",
  }

  it("decodes user, worker and system actors", () => {
    for (const actor of [{ type: "USER", id: "u1" }, { type: "WORKER", id: "w1" }, { type: "SYSTEM" }]) {
      const decoded = decodeOk(AuditEntry, {
        ...entry,
        actor,
        details: { resource: "c1", nested: [1, null] },
      })
      expect(decoded.actor).toEqual(actor)
      expect(decoded.outcome).toBe("SUCCESS")
      roundTrips(AuditEntry, decoded)
    }
  })

  it("rejects an empty action, an unknown resource type and an actor without id", () => {
    decodeFails(AuditEntry, { ...entry, action: "" }, "action", "non empty")
    decodeFails(AuditEntry, { ...entry, resourceType: "BUCKET" }, "resourceType", '"EXPERIMENT"')
    decodeFails(AuditEntry, { ...entry, actor: { type: "USER" } }, "id", "is missing")
  })
})
