/**
 * Runs one attempt as an in-process handler on its own fiber. Timeout and cancellation interrupt
 * that fiber; if its finalizers take longer than the grace period the attempt is reported anyway
 * and the interruption completes in the background. So does the end of the consumer's scope,
 * which reports nothing.
 */
import { Cause, Duration, Effect, Fiber, Option, ParseResult, Schema, Scope } from "effect"
import { attemptContext } from "./AttemptContext.js"
import { type AttemptControl, type StopReason, stopMessage } from "./AttemptControl.js"
import type { HandlerError } from "./ExecutorErrors.js"
import { lazyLogFiles } from "./LogFiles.js"
import { type AttemptEvents, makeOutputCollector } from "./OutputCollector.js"
import { type ResolvedOutputs, resolveOutputs } from "./OutputFiles.js"
import type { LazyDirectory } from "./TaskDirectory.js"
import { type TaskOutcome, TaskResult, TaskStarted } from "./TaskEvent.js"
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
      // Most handlers return nothing: no decoding for them.
      value === undefined
        ? Effect.succeed(undefined)
        : Effect.catchAll(decodeResult(value), (error) =>
            Effect.dieMessage(
              `handler "${name}" returned an invalid result: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
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

/**
 * Starts handler `name` for `run` in `directory`; the attempt's events follow in the result. The
 * directory and the log files are created only when the handler asks for them (`workingDir`,
 * `environment`, `log`), so a handler that needs no files costs no file system work; the caller
 * creates the directory up front when outputs are declared.
 *
 * Fibers: the handler's own, which reports its outcome itself, and one per stop signal (cancel;
 * the timeout when finite) that interrupts it and reports instead. Whichever ends first settles
 * the attempt. A handler that ends without waiting on anything (a no-op, a pure computation) has
 * settled before the stop signals would be started, and costs no more fibers.
 */
export const startHandler = (
  run: TaskRun,
  name: string,
  handler: TaskHandler,
  directory: LazyDirectory,
  control: AttemptControl,
): Effect.Effect<AttemptEvents, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const clock = yield* Effect.clock
    const logs = lazyLogFiles(directory)
    const output = yield* makeOutputCollector(logs)
    const dir = directory.path
    const context = attemptContext(run, directory, (line, stream = "stdout") =>
      Effect.sync(() => output.write(stream, `${line}\n`)),
    )
    const startedAt = clock.unsafeCurrentTimeMillis()
    output.started(new TaskStarted({ kind: "handler", workingDir: dir, pid: null }, true))

    const finish = (
      outcome: TaskOutcome,
      message: string,
      metadata: Record<string, string>,
      { outputs, missing }: ResolvedOutputs,
    ) =>
      output.finish(
        new TaskResult(
          {
            outcome,
            exitCode: null,
            signal: null,
            durationMs: clock.unsafeCurrentTimeMillis() - startedAt,
            message,
            workingDir: dir,
            outputs,
            missingOutputs: missing,
            metadata,
          },
          true,
        ),
      )
    const report = (outcome: TaskOutcome, message: string, metadata: Record<string, string> = {}) =>
      Effect.map(resolveOutputs(dir, run.outputs), (resolved) =>
        finish(outcome, message, metadata, resolved),
      ).pipe(Effect.catchAllCause(output.failCause))

    // The first of the handler, a stop signal and the end of the scope settles the attempt.
    let settled = false
    const settle = (effect: Effect.Effect<void>) =>
      Effect.suspend(() => {
        if (settled) return Effect.void
        settled = true
        return effect
      })
    // A daemon, so that closing the scope waits for its interruption no longer than the grace period.
    const fiber = yield* invoke(name, handler, context).pipe(
      Effect.matchCauseEffect({
        onSuccess: (value) => settle(report("succeeded", `handler "${name}" succeeded`, value?.metadata)),
        onFailure: (cause) => settle(report("failed", describeFailure(name, cause))),
      }),
      Effect.forkDaemon,
    )
    const interrupt = () => Fiber.interrupt(fiber).pipe(Effect.timeout(control.grace), Effect.ignore)
    // If the consumer goes away first, the handler is stopped and nothing is reported.
    yield* Scope.addFinalizer(
      scope,
      Effect.zipRight(
        Effect.suspend(() => settle(interrupt())),
        logs.close,
      ),
    )

    // The handler fiber runs before this one resumes, as far as it can without waiting.
    yield* Effect.yieldNow()
    if (settled) return output
    const stopOn = (signal: Effect.Effect<void>, reason: StopReason) =>
      signal.pipe(
        Effect.zipRight(
          settle(
            Effect.suspend(() =>
              Effect.zipRight(
                interrupt(),
                report(reason, `${stopMessage(reason, control)}; handler "${name}" interrupted`),
              ),
            ),
          ),
        ),
        Effect.forkIn(scope),
      )
    if (Duration.isFinite(control.timeout)) yield* stopOn(Effect.sleep(control.timeout), "timedOut")
    yield* stopOn(control.cancel, "canceled")
    return output
  })
