/**
 * Runs one attempt as an in-process handler on its own fiber. Timeout and cancellation interrupt
 * that fiber; if its finalizers take longer than the grace period the attempt is reported anyway
 * and the interruption completes in the background.
 */
import { Cause, Clock, Effect, Exit, Fiber, Option, ParseResult, Schema, Stream } from "effect"
import { type AttemptControl, raceStop, stopMessage } from "./AttemptControl.js"
import type { HandlerError, TaskWorkdirError } from "./ExecutorErrors.js"
import { makeOutputCollector } from "./OutputCollector.js"
import { outputPath, resolveOutputs } from "./OutputFiles.js"
import { taskEnvironment } from "./TaskEnvironment.js"
import { type TaskEvent, type TaskOutcome, TaskResult, TaskStarted } from "./TaskEvent.js"
import { type HandlerContext, HandlerResult, type TaskHandler } from "./TaskHandler.js"
import type { TaskRun } from "./TaskRun.js"

const decodeResult = Schema.decodeUnknown(Schema.Union(Schema.Undefined, HandlerResult))

/** Calls user code defensively: a throw, a non-Effect return or a malformed result is a defect. */
const invoke = (name: string, handler: TaskHandler, context: HandlerContext) =>
  Effect.suspend(() => {
    const effect = handler(context)
    return Effect.isEffect(effect) ? effect : Effect.dieMessage(`handler "${name}" did not return an Effect`)
  }).pipe(
    Effect.flatMap((value) =>
      decodeResult(value).pipe(
        Effect.catchAll((error) =>
          Effect.dieMessage(
            `handler "${name}" returned an invalid result: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
          ),
        ),
      ),
    ),
  )

const describeFailure = (name: string, cause: Cause.Cause<HandlerError>): string =>
  Option.match(Cause.failureOption(cause), {
    // Typed as HandlerError, but a handler loaded from a module may fail with anything.
    onSome: (error: unknown) =>
      `handler "${name}" failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
    onNone: () =>
      Cause.isInterruptedOnly(cause)
        ? `handler "${name}" was interrupted`
        : `handler "${name}" died: ${Cause.pretty(cause, { renderErrorCause: false })}`,
  })

/** Runs handler `name` for `run` in the prepared directory `dir`. */
export const runHandler = (
  run: TaskRun,
  name: string,
  handler: TaskHandler,
  dir: string,
  control: AttemptControl,
): Stream.Stream<TaskEvent, TaskWorkdirError> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const output = yield* makeOutputCollector(dir)
      // An output declared outside the attempt directory gets no path, and is reported missing.
      const outputs: Record<string, string> = {}
      for (const [outputName, file] of Object.entries(run.outputs)) {
        const path = outputPath(dir, file)
        if (path !== undefined) outputs[outputName] = path
      }
      const context: HandlerContext = {
        taskId: run.taskId,
        experimentId: run.experimentId,
        key: run.key,
        attempt: run.attempt,
        inputs: run.inputs,
        outputs,
        environment: taskEnvironment(run, dir),
        workingDir: dir,
        log: (line, stream = "stdout") => Effect.sync(() => output.write(stream, `${line}\n`)),
      }
      const startedAt = yield* Clock.currentTimeMillis
      output.started(new TaskStarted({ kind: "handler", workingDir: dir, pid: null }))

      const supervise = Effect.gen(function* () {
        const fiber = yield* Effect.fork(invoke(name, handler, context))
        const raced = yield* raceStop(Fiber.await(fiber), control)
        if (raced._tag === "Stopped") {
          yield* Fiber.interrupt(fiber).pipe(Effect.timeout(control.grace), Effect.ignore)
        }
        const { outputs: files, missing } = yield* resolveOutputs(dir, run.outputs)
        const finishedAt = yield* Clock.currentTimeMillis
        const result = (outcome: TaskOutcome, message: string, metadata: Record<string, string> = {}) =>
          new TaskResult({
            outcome,
            exitCode: null,
            signal: null,
            durationMs: finishedAt - startedAt,
            message,
            workingDir: dir,
            outputs: files,
            missingOutputs: missing,
            metadata,
          })
        yield* output.finish(
          raced._tag === "Stopped"
            ? result(raced.reason, `${stopMessage(raced.reason, control)}; handler "${name}" interrupted`)
            : Exit.match(raced.value, {
                onSuccess: (value) => result("succeeded", `handler "${name}" succeeded`, value?.metadata),
                onFailure: (cause) => result("failed", describeFailure(name, cause)),
              }),
        )
      })
      yield* supervise.pipe(
        Effect.onExit((exit) => (Exit.isFailure(exit) ? output.failCause(exit.cause) : Effect.void)),
        Effect.forkScoped,
      )
      return output.events
    }),
  )
