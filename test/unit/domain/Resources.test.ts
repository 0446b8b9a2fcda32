import { describe, expect, it } from "@effect/vitest"
import { Credential } from "../../../src/domain/Credential.js"
import { ComputeResource, StorageResource } from "../../../src/domain/Resources.js"
import { decodeFails, decodeOk, roundTrips, t0 } from "./decode.js"

const compute = { id: "c1", name: "hpc", type: "SLURM", ownerId: "u1", createdAt: t0, updatedAt: t0 }

describe("ComputeResource", () => {
  it("decodes with defaults", () => {
    const decoded = decodeOk(ComputeResource, { ...compute, capabilities: { partition: "cpu", nodes: 4 } })
    expect(decoded).toMatchObject({
      status: "ACTIVE",
      costPerHour: 0,
      maxWorkers: 1,
      currentWorkers: 0,
      availability: 1,
      endpoint: "",
      capabilities: { partition: "cpu", nodes: 4 },
    })
    roundTrips(ComputeResource, decoded)
  })

  it.each(["SLURM", "KUBERNETES", "BARE_METAL", "LOCAL"])("accepts type %s", (type) => {
    expect(decodeOk(ComputeResource, { ...compute, type }).type).toBe(type)
  })

  it("rejects an unknown type", () => {
    decodeFails(ComputeResource, { ...compute, type: "AWS_BATCH" }, "type", '"KUBERNETES"')
  })

  it("rejects a negative cost per hour", () => {
    decodeFails(ComputeResource, { ...compute, costPerHour: -0.5 }, "costPerHour", "non-negative")
  })

  it("rejects fewer than one max worker", () => {
    decodeFails(ComputeResource, { ...compute, maxWorkers: 0 }, "maxWorkers", "greater than or equal to 1")
  })

  it("rejects availability outside 0–1 and ports outside 1–65535", () => {
    decodeFails(ComputeResource, { ...compute, availability: 1.5 }, "availability", "between 0 and 1")
    decodeFails(ComputeResource, { ...compute, port: 70_000 }, "port", "between 1 and 65535")
  })
})

describe("StorageResource", () => {
  const storage = { id: "s1", name: "bucket", type: "S3", ownerId: "u1", createdAt: t0, updatedAt: t0 }

  it.each(["S3", "SFTP", "NFS", "LOCAL"])("accepts type %s", (type) => {
    const decoded = decodeOk(StorageResource, { ...storage, type, metadata: { bucket: "b" } })
    expect(decoded.type).toBe(type)
    roundTrips(StorageResource, decoded)
  })

  it("rejects an unknown type and negative capacities", () => {
    decodeFails(StorageResource, { ...storage, type: "GCP_STORAGE" }, "type", '"SFTP"')
    decodeFails(StorageResource, { ...storage, totalCapacity: -1 }, "totalCapacity", "non-negative")
  })
})

describe("Credential", () => {
  const credential = {
    id: "k1",
    name: "hpc-key",
    type: "SSH_KEY",
    ownerId: "u1",
    createdAt: t0,
    updatedAt: t0,
  }

  it.each(["SSH_KEY", "PASSWORD", "API_KEY", "TOKEN", "CERTIFICATE"])("accepts type %s", (type) => {
    expect(decodeOk(Credential, { ...credential, type }).type).toBe(type)
  })

  it("keeps no secret: a payload sent along is not decoded nor encoded", () => {
    const decoded = decodeOk(Credential, {
      ...credential,
      data: "-----BEGIN OPENSSH PRIVATE KEY-----",
      metadata: { username: "alice" },
    })
    expect(Object.keys(decoded).sort()).toEqual(
      ["createdAt", "description", "id", "metadata", "name", "ownerId", "type", "updatedAt"].sort(),
    )
    expect(JSON.stringify(decoded)).not.toContain("PRIVATE KEY")
  })

  it("rejects an unknown type and an empty name", () => {
    decodeFails(Credential, { ...credential, type: "KERBEROS" }, "type", '"SSH_KEY"')
    decodeFails(Credential, { ...credential, name: "" }, "name", "expected 1 to 255 characters")
  })
})
