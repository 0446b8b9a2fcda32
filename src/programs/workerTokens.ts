/**
 * Per-worker tokens: minted at provisioning, handed to the worker in its environment, stored only
 * as a SHA-256 hash (tokens are 256 random bits, so a fast hash is enough: nothing to brute-force).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"

export const mintWorkerToken = (): Redacted.Redacted<string> =>
  Redacted.make(randomBytes(32).toString("base64url"))

export const hashWorkerToken = (token: string): string =>
  createHash("sha256").update(token, "utf8").digest("hex")

/** Constant-time comparison, so a guessed token leaks nothing through timing. */
export const sameToken = (presented: string, expected: Redacted.Redacted<string>): boolean => {
  const a = Buffer.from(hashWorkerToken(presented), "hex")
  const b = Buffer.from(hashWorkerToken(Redacted.value(expected)), "hex")
  return timingSafeEqual(a, b)
}
