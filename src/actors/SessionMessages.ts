/**
 * What a connected worker says to its session and what the session says back, independent of the
 * wire: the gRPC layer translates WorkerMessage/ServerMessage to and from these.
 */
import { Data } from "effect"
import type { Attempt, TaskId } from "../domain/Ids.js"
import type { ClaimedTask, Lease, LogChunk, TaskReport } from "../ports/StoreModel.js"

export type SessionInput = Data.TaggedEnum<{
  /** The worker freed `credits` more slots (additive, like HTTP/2 flow control, so it cannot race assignments). */
  Credits: { readonly credits: number }
  /** Status reports on attempts the worker holds. */
  Reports: { readonly reports: ReadonlyArray<TaskReport> }
  /** Output chunks of running attempts. */
  Output: { readonly chunks: ReadonlyArray<LogChunk> }
  /** The worker is alive and runs these attempts. */
  Heartbeat: { readonly leases: ReadonlyArray<Lease> }
  /** The worker gives back these attempts, never started: requeue them for any worker. */
  HandBack: { readonly leases: ReadonlyArray<Lease> }
}>
export const SessionInput = Data.taggedEnum<SessionInput>()

export type SessionOutput = Data.TaggedEnum<{
  /** Tasks leased to the worker: run them. */
  Assign: { readonly tasks: ReadonlyArray<ClaimedTask> }
  /** Stop running this attempt: its lease is gone (canceled, reaped, or reassigned). */
  Cancel: { readonly taskId: TaskId; readonly attempt: Attempt; readonly reason: string }
}>
export const SessionOutput = Data.taggedEnum<SessionOutput>()
