/** Provisioning a worker: mint its token, register it with the token's hash, hand the token to the pilot. */
import * as Os from "node:os"
import { Effect, Redacted } from "effect"
import type { ComputeResourceId, WorkerId } from "../domain/Ids.js"
import { WorkerCapabilities } from "../domain/Requirements.js"
import { Store } from "../ports/Store.js"
import { WorkerRegistration } from "../ports/StoreModel.js"
import { hashWorkerToken, mintWorkerToken } from "./workerTokens.js"

/** What a worker on this machine offers. */
export const localCapabilities = () =>
  WorkerCapabilities.make({
    cpuCores: Os.availableParallelism(),
    memoryMB: Math.floor(Os.totalmem() / 2 ** 20),
    diskGB: 0,
    gpus: 0,
  })

export const registerWorkerWithToken = (
  workerId: WorkerId,
  computeResourceId: ComputeResourceId,
  slots: number,
  capabilities: WorkerCapabilities = localCapabilities(),
) =>
  Effect.gen(function* () {
    const store = yield* Store
    const token = mintWorkerToken()
    yield* store.registerWorker(
      WorkerRegistration.make({
        id: workerId,
        computeResourceId,
        capabilities,
        slots,
        tokenHash: hashWorkerToken(Redacted.value(token)),
      }),
    )
    return token
  }).pipe(Effect.withSpan("registerWorkerWithToken"))
