/**
 * A hand-written check of the claim's rows for the common shape (every input a plain string), with
 * exactly the rules of the ClaimedRow schema: ids non-empty, trimmed and at most 255 characters,
 * integers where the schema says Int, string maps, a Date. Decoding a row with Schema costs ≈ 70 µs
 * and the claim returns up to hundreds of them on the scheduler's hot path; the check costs ≈ 1 µs.
 * A row it does not accept (an OutputRef input, anything malformed) goes through the schema.
 */
import { DateTime } from "effect"
import { isStringRecord } from "../../../domain/Fields.js"
import { isIdText } from "../../../domain/Ids.js"

const isInt = (value: unknown): value is number => Number.isInteger(value)

/** The row as ClaimedRow's decoded form, or undefined when it is not of the common shape. */
export const checkClaimedRow = (row: unknown) => {
  if (typeof row !== "object" || row === null) return undefined
  const r = row as Record<string, unknown>
  const { leaseExpiresAt, handler, timeoutSeconds, inputs, outputs, environment } = r
  if (
    !isIdText(r.taskId) ||
    !isIdText(r.experimentId) ||
    !isIdText(r.workerId) ||
    typeof r.key !== "string" ||
    typeof r.name !== "string" ||
    typeof r.script !== "string" ||
    !isInt(r.index) ||
    !isInt(r.attempt) ||
    r.attempt < 0 ||
    !isInt(r.cpuCores) ||
    !isInt(r.memoryMB) ||
    !isInt(r.diskGB) ||
    !isInt(r.gpus) ||
    !(handler === null || typeof handler === "string") ||
    !(timeoutSeconds === null || isInt(timeoutSeconds)) ||
    !isStringRecord(inputs) ||
    !isStringRecord(outputs) ||
    !isStringRecord(environment) ||
    !(leaseExpiresAt instanceof Date) ||
    Number.isNaN(leaseExpiresAt.getTime())
  ) {
    return undefined
  }
  return {
    taskId: r.taskId,
    experimentId: r.experimentId,
    workerId: r.workerId,
    key: r.key,
    name: r.name,
    script: r.script,
    index: r.index,
    attempt: r.attempt,
    cpuCores: r.cpuCores,
    memoryMB: r.memoryMB,
    diskGB: r.diskGB,
    gpus: r.gpus,
    handler,
    timeoutSeconds,
    inputs,
    outputs,
    environment,
    leaseExpiresAt: DateTime.unsafeMake(leaseExpiresAt),
  }
}
