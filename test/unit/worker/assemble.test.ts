/**
 * The executor builds its events and runs without the Schema class constructors (internal/assemble):
 * what it builds must stay indistinguishable from a constructed instance.
 */
import { describe, expect, it } from "@effect/vitest"
import { Equal, Hash, Schema } from "effect"
import {
  makeOutputChunk,
  makeTaskFinished,
  makeTaskOutput,
  makeTaskResult,
  makeTaskStarted,
  OutputChunk,
  TaskEvent,
  TaskFinished,
  TaskOutput,
  TaskResult,
  TaskStarted,
} from "../../../src/worker/executor/TaskEvent.js"
import { makeTaskRun, TaskRun } from "../../../src/worker/executor/TaskRun.js"

const alike = <A extends object>(built: A, constructed: A, Class: abstract new (...args: never) => A) => {
  expect(built).toBeInstanceOf(Class)
  expect(built).toStrictEqual(constructed)
  expect(String(built)).toBe(String(constructed))
}

describe("events and runs built without their constructors", () => {
  const resultFields = {
    outcome: "succeeded",
    exitCode: null,
    signal: null,
    durationMs: 3,
    message: "ok",
    workingDir: "/w",
    outputs: [],
    missingOutputs: [],
    metadata: { a: "1" },
  } as const

  it("are alike to constructed ones: class, fields, rendering, equality", () => {
    const started = makeTaskStarted({ kind: "handler", workingDir: "/w", pid: null })
    const constructed = new TaskStarted({ kind: "handler", workingDir: "/w", pid: null })
    alike(started, constructed, TaskStarted)
    // Fields holding arrays or records hash and compare by reference, these only by value.
    expect(Equal.equals(started, constructed)).toBe(true)
    expect(Hash.hash(started)).toBe(Hash.hash(constructed))
    expect(started._tag).toBe("TaskStarted")

    const result = makeTaskResult(resultFields)
    alike(result, new TaskResult(resultFields), TaskResult)
    expect(result.succeeded).toBe(true)

    const finished = makeTaskFinished(result)
    alike(finished, new TaskFinished({ result: new TaskResult(resultFields) }), TaskFinished)

    const chunk = makeOutputChunk({ stream: "stdout", seq: 0, data: "hi" })
    alike(chunk, new OutputChunk({ stream: "stdout", seq: 0, data: "hi" }), OutputChunk)
    alike(makeTaskOutput(chunk), new TaskOutput({ chunk }), TaskOutput)

    const runFields = {
      taskId: "t-1",
      experimentId: "e-1",
      key: "k[0]",
      attempt: 1,
      handler: "noop",
      inputs: {},
      outputs: {},
      environment: {},
    }
    const decoded = Schema.decodeUnknownSync(TaskRun)(runFields)
    alike(makeTaskRun(decoded), decoded, TaskRun)
  })

  it("encode as constructed ones do", () => {
    const encode = Schema.encodeSync(TaskEvent)
    const result = makeTaskResult(resultFields)
    expect(encode(makeTaskFinished(result))).toEqual(
      encode(new TaskFinished({ result: new TaskResult(resultFields) })),
    )
    expect(encode(makeTaskStarted({ kind: "script", workingDir: "/w", pid: 7 }))).toEqual(
      encode(new TaskStarted({ kind: "script", workingDir: "/w", pid: 7 })),
    )
  })
})
