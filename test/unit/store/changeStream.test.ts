/** The change feed's decoding: payloads are decoded a chunk at a time; malformed ones are skipped. */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import type { ExperimentId } from "../../../src/domain/Ids.js"
import { changeStream, channel, notification } from "../../../src/layers/store/Notify.js"

const ready = { _tag: "TasksReady", experimentIds: ["exp-1" as ExperimentId] } as const
const finished = {
  _tag: "ExperimentChanged",
  experimentId: "exp-2" as ExperimentId,
  status: "COMPLETED",
} as const

/** A listener whose channel delivers `chunks` of payloads, and records the channel it was asked for. */
const listener = (chunks: ReadonlyArray<ReadonlyArray<string>>, asked: Array<string>) => ({
  listen: (name: string) => {
    asked.push(name)
    return Stream.fromChunks(...chunks.map((c) => Chunk.fromIterable(c)))
  },
})

describe("changeStream", () => {
  it.effect("decodes every well-formed payload in order and skips the malformed ones", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      const chunks = [
        [notification(ready).payload, "{not json", notification(finished).payload],
        ['{"_tag":"TasksReady","experimentIds":[""]}', '{"_tag":"Unknown"}'],
        [notification(finished).payload],
      ]
      const changes = yield* Stream.runCollect(changeStream(listener(chunks, asked)))
      expect(Chunk.toReadonlyArray(changes)).toEqual([ready, finished, finished])
      expect(asked).toEqual([channel])
    }),
  )
})
