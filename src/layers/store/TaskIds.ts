/**
 * Task ids are UUIDv5 of (experiment id, task key): deterministic, so dependency edges and
 * OutputRefs resolve to ids while a million-task expansion streams past, without a lookup table.
 */
import { createHash } from "node:crypto"
import { TaskId } from "../../domain/Ids.js"

// A fixed, randomly chosen namespace: ids of this scheduler never collide with other UUIDv5 users'.
const namespace = Buffer.from("8a3f1c52d6e94b0f9e2a47c1b05d3e68", "hex")

/** The id of the task with `key` in experiment `experimentId`. */
export const taskIdFor = (experimentId: string, key: string): TaskId => {
  const digest = createHash("sha1")
    .update(namespace)
    .update(experimentId)
    .update("\u0000")
    .update(key)
    .digest()
  digest.writeUInt8((digest.readUInt8(6) & 0x0f) | 0x50, 6)
  digest.writeUInt8((digest.readUInt8(8) & 0x3f) | 0x80, 8)
  const hex = digest.toString("hex", 0, 16)
  return TaskId.make(
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`,
  )
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Whether `id` can be a task id at all; anything else is simply not found, never an SQL cast error. */
export const isTaskIdShape = (id: string): boolean => uuid.test(id)
