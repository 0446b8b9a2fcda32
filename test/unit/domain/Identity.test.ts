import { describe, expect, it } from "@effect/vitest"
import { DateTime } from "effect"
import { Group, GroupMembership, Project, User } from "../../../src/domain/Identity.js"
import { decodeFails, decodeOk, roundTrips, t0, t1 } from "./decode.js"

const user = { id: "u1", username: "alice", email: "alice@example.org", createdAt: t0, updatedAt: t1 }

describe("User", () => {
  it("decodes with defaults and UTC timestamps", () => {
    const decoded = decodeOk(User, user)
    expect(decoded).toBeInstanceOf(User)
    expect(decoded).toMatchObject({ username: "alice", fullName: "", isActive: true, metadata: {} })
    expect(DateTime.formatIso(decoded.createdAt)).toBe(t0)
    roundTrips(User, decoded)
  })

  it("has no password field, and drops one that is sent", () => {
    const decoded = decodeOk(User, { ...user, passwordHash: "$2b$10$abcdefghijklmnopqrstuv" })
    expect(Object.keys(decoded)).not.toContain("passwordHash")
  })

  it.each([
    ["alice.example.org", "missing @"],
    ["alice@", "nothing after @"],
    ["al ice@example.org", "whitespace"],
  ])("rejects the e-mail %s (%s)", (email) => {
    decodeFails(User, { ...user, email }, "email", "expected an e-mail address")
  })

  it("rejects usernames outside 3–50 characters", () => {
    decodeFails(User, { ...user, username: "al" }, "username", "expected 3 to 50 characters")
    decodeFails(User, { ...user, username: "a".repeat(51) }, "username", "expected 3 to 50 characters")
    decodeFails(User, { ...user, username: " alice" }, "username", "whitespace")
  })

  it("rejects a negative uid and a bad timestamp", () => {
    decodeFails(User, { ...user, uid: -1 }, "uid", "non-negative")
    decodeFails(User, { ...user, createdAt: "yesterday" }, "createdAt", 'Unable to decode "yesterday"')
  })

  it("rejects metadata that is not JSON", () => {
    decodeFails(User, { ...user, metadata: { x: Number.NaN } }, "metadata", "Expected a finite number")
  })
})

describe("Group", () => {
  const group = { id: "g1", name: "chemists", ownerId: "u1", createdAt: t0, updatedAt: t0 }

  it("decodes with defaults", () => {
    expect(decodeOk(Group, group)).toMatchObject({ name: "chemists", description: "", isActive: true })
  })

  it("rejects names outside 1–100 characters", () => {
    decodeFails(Group, { ...group, name: "" }, "name", "expected 1 to 100 characters")
    decodeFails(Group, { ...group, name: "g".repeat(101) }, "name", "expected 1 to 100 characters")
  })
})

describe("GroupMembership", () => {
  it("accepts users and nested groups as members, defaulting the role to MEMBER", () => {
    const asUser = decodeOk(GroupMembership, {
      groupId: "g1",
      member: { memberType: "USER", memberId: "u1" },
      joinedAt: t0,
    })
    expect(asUser.role).toBe("MEMBER")
    expect(asUser.member).toEqual({ memberType: "USER", memberId: "u1" })
    const asGroup = decodeOk(GroupMembership, {
      groupId: "g1",
      member: { memberType: "GROUP", memberId: "g2" },
      role: "VIEWER",
      joinedAt: t0,
    })
    expect(asGroup.member.memberType).toBe("GROUP")
    roundTrips(GroupMembership, asGroup)
  })

  it("rejects an unknown member type and role", () => {
    decodeFails(
      GroupMembership,
      { groupId: "g1", member: { memberType: "ROBOT", memberId: "r" }, joinedAt: t0 },
      "memberType",
      '"USER"',
    )
    decodeFails(
      GroupMembership,
      { groupId: "g1", member: { memberType: "USER", memberId: "u1" }, role: "KING", joinedAt: t0 },
      "role",
      '"OWNER"',
    )
  })
})

describe("Project", () => {
  const project = { id: "p1", name: "catalysis", ownerId: "u1", createdAt: t0, updatedAt: t0 }

  it("decodes", () => {
    expect(decodeOk(Project, project)).toMatchObject({ id: "p1", name: "catalysis", isActive: true })
  })

  it("rejects an empty name and an empty owner id", () => {
    decodeFails(Project, { ...project, name: "" }, "name", "expected 1 to 255 characters")
    decodeFails(Project, { ...project, ownerId: "" }, "ownerId", "Expected a non empty string")
  })
})
