/**
 * Runs one attempt as an in-process handler on its own fiber. Timeout and cancellation interrupt
 * that fiber; if its finalizers take longer than the grace period the attempt is reported anyway
 * and the interruption completes in the background. So does the consumer's release (the end of
 * its scope), which reports nothing.
 *
 * This is the worker's hot path for in-process tasks: an attempt whose handler ends at once costs
 * one fiber (the handler's), no file system work, and as few Effect steps as it can.
 */
import {
  Cause,
  Clock,
  Context,
  Duration,
  Effect,
  Fiber,
  type FiberStatus,
  Option,
  ParseResult,
  Runtime,
  RuntimeFlags,
  Schema,
  type Scope,
} from "effect"
import { attemptContext } from "./AttemptContext.js"
import { type AttemptControl, type StopReason, stopMessage } from "./AttemptControl.js"
import type { HandlerError } from "./ExecutorErrors.js"
import { type LogFiles, lazyLogFiles } from "./LogFiles.js"
import { type AttemptEvents, makeOutputCollector, type OutputCollector } from "./OutputCollector.js"
import { type ResolvedOutputs, resolveOutputs } from "./OutputFiles.js"
import type { LazyDirectory } from "./TaskDirectory.js"
import { makeTaskResult, makeTaskStarted, type TaskEvent, type TaskOutcome } from "./TaskEvent.js"
import { type HandlerContext, HandlerResult, type TaskHandler } from "./TaskHandler.js"
import type { TaskRun } from "./TaskRun.js"

const decodeResult = Schema.decodeUnknown(Schema.Union(Schema.Undefined, HandlerResult))

/** Calls user code defensively: a throw or a non-Effect return is a defect. */
const invoke = (name: string, handler: TaskHandler, context: HandlerContext): ReturnType<TaskHandler> => {
  try {
    const effect = handler(context)
    return Effect.isEffect(effect) ? effect : Effect.dieMessage(`handler "${name}" did not return an Effect`)
  } catch (error) {
    return Effect.die(error)
  }
}

/** A handler's result, checked: a malformed one is a defect. */
const checkResult = (name: string, value: unknown): Effect.Effect<HandlerResult | undefined> =>
  Effect.catchAll(decodeResult(value), (error) =>
    Effect.dieMessage(
      `handler "${name}" returned an invalid result: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
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

/** A handler attempt under way: its events, and how to end it early. */
export interface LaunchedHandler {
  readonly events: AttemptEvents
  /**
   * Run once done with the events, or instead of reading them: stops a handler that has not
   * settled yet (reporting nothing) and closes its log files.
   */
  readonly release: Effect.Effect<void>
}

const NO_METADATA: Record<string, string> = {}
const NO_OUTPUTS: ResolvedOutputs = { outputs: [], missing: [] }

/**
 * One handler attempt. A class rather than a closure over a dozen locals: it is made once per
 * task on the worker's hot path, and its methods are shared.
 *
 * Fibers: the handler's own, which reports its outcome itself, and one per stop signal (cancel;
 * the timeout when finite) that interrupts it and reports instead. Whichever ends first settles
 * the attempt. The handler's fiber starts on the spot and runs as far as it can without waiting:
 * one that ends so (a no-op, a pure computation) has settled before the stop signals would be
 * started, and costs no more fibers. All are daemons, so that `release` waits for the handler's
 * interruption no longer than the grace period.
 */
class HandlerAttempt implements LaunchedHandler {
  readonly events: OutputCollector
  private readonly logs: LogFiles
  private readonly dir: string
  private readonly startedAt: number
  /** Set by the first of the handler, a stop signal and `release`: it alone reports (or not). */
  private settled = false
  private readonly fiber: Fiber.RuntimeFiber<void>
  private readonly stops: Array<Fiber.RuntimeFiber<void>> = []

  constructor(
    private readonly run: TaskRun,
    private readonly name: string,
    handler: TaskHandler,
    directory: LazyDirectory,
    private readonly control: AttemptControl,
    private readonly clock: Clock.Clock,
    runtime: Runtime.Runtime<never>,
  ) {
    this.logs = lazyLogFiles(directory)
    const output = makeOutputCollector(this.logs)
    this.events = output
    this.dir = directory.path
    const context = attemptContext(run, directory, (line, stream = "stdout") =>
      Effect.sync(() => output.write(stream, `${line}\n`)),
    )
    this.startedAt = clock.unsafeCurrentTimeMillis()
    output.started(makeTaskStarted({ kind: "handler", workingDir: this.dir, pid: null }))

    const fork = Runtime.runFork(runtime)
    this.fiber = fork(
      Effect.matchCauseEffect(invoke(name, handler, context), {
        onSuccess: (value) =>
          // Most handlers return nothing: no decoding for them.
          value === undefined
            ? this.conclude("succeeded", `handler "${name}" succeeded`)
            : Effect.matchCauseEffect(checkResult(name, value), {
                onSuccess: (result) =>
                  this.conclude("succeeded", `handler "${name}" succeeded`, result?.metadata),
                onFailure: (cause) => this.conclude("failed", describeFailure(name, cause)),
              }),
        onFailure: (cause) => this.conclude("failed", describeFailure(name, cause)),
      }),
    )
    // The handler's fiber has run as far as it could without waiting: if it settled, no stop
    // signal is needed.
    if (!this.settled) {
      if (Duration.isFinite(control.timeout))
        this.stops.push(fork(this.stopOn(Effect.sleep(control.timeout), "timedOut")))
      this.stops.push(fork(this.stopOn(control.cancel, "canceled")))
    }
  }

  /** If the consumer goes away first, the handler is stopped and nothing is reported. */
  get release(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const stopped = this.settled ? this.logs.close : Effect.zipRight(this.stop(), this.logs.close)
      return this.stops.length === 0 ? stopped : Effect.zipRight(Fiber.interruptAll(this.stops), stopped)
    })
  }

  /** Settles the attempt with this outcome unless it is settled already. */
  private conclude(
    outcome: TaskOutcome,
    message: string,
    metadata: Record<string, string> = NO_METADATA,
  ): Effect.Effect<void> {
    if (this.settled) return Effect.void
    this.settled = true
    return this.report(outcome, message, metadata)
  }

  private stop(): Effect.Effect<void> {
    this.settled = true
    return Fiber.interrupt(this.fiber).pipe(Effect.timeout(this.control.grace), Effect.ignore)
  }

  private stopOn(signal: Effect.Effect<void>, reason: StopReason): Effect.Effect<void> {
    return Effect.zipRight(
      signal,
      Effect.suspend(() => {
        if (this.settled) return Effect.void
        return Effect.zipRight(
          this.stop(),
          Effect.suspend(() =>
            this.report(
              reason,
              `${stopMessage(reason, this.control)}; handler "${this.name}" interrupted`,
              NO_METADATA,
            ),
          ),
        )
      }),
    )
  }

  /** Ends the event stream with the result; at once when no output is declared. */
  private report(
    outcome: TaskOutcome,
    message: string,
    metadata: Record<string, string>,
  ): Effect.Effect<void> {
    if (Object.keys(this.run.outputs).length === 0) {
      this.finish(outcome, message, metadata, NO_OUTPUTS)
      return Effect.void
    }
    return Effect.map(resolveOutputs(this.dir, this.run.outputs), (resolved) =>
      this.finish(outcome, message, metadata, resolved),
    ).pipe(Effect.catchAllCause((cause) => this.events.failCause(cause)))
  }

  private finish(
    outcome: TaskOutcome,
    message: string,
    metadata: Record<string, string>,
    resolved: ResolvedOutputs,
  ) {
    this.events.finish(
      makeTaskResult({
        outcome,
        exitCode: null,
        signal: null,
        durationMs: this.clock.unsafeCurrentTimeMillis() - this.startedAt,
        message,
        workingDir: this.dir,
        outputs: resolved.outputs,
        missingOutputs: resolved.missing,
        metadata,
      }),
    )
  }
}

/** Starts the attempt with the calling fiber's services and references. */
const start = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  status: FiberStatus.Running,
  run: TaskRun,
  name: string,
  handler: TaskHandler,
  directory: LazyDirectory,
  control: AttemptControl,
): HandlerAttempt => {
  // Interruptible whatever the caller's region: timeout and cancel must be able to stop it.
  const runtime = Runtime.make({
    context: fiber.currentContext,
    runtimeFlags: RuntimeFlags.enable(status.runtimeFlags, RuntimeFlags.Interruption),
    fiberRefs: fiber.getFiberRefs(),
  })
  const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
  return new HandlerAttempt(run, name, handler, directory, control, clock, runtime)
}

/**
 * Starts handler `name` for `run` in `directory`, released with the current scope; the attempt's
 * events follow in the result. The directory and the log files are created only when the handler
 * asks for them (`workingDir`, `environment`, `log`), so a handler that needs no files costs no
 * file system work; the caller creates the directory up front when outputs are declared.
 */
export const startHandler = (
  run: TaskRun,
  name: string,
  handler: TaskHandler,
  directory: LazyDirectory,
  control: AttemptControl,
): Effect.Effect<AttemptEvents, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.withFiberRuntime<HandlerAttempt>((fiber, status) =>
        Effect.succeed(start(fiber, status, run, name, handler, directory, control)),
      ),
      (attempt) => attempt.release,
    ),
    (attempt) => attempt.events,
  )

/**
 * `startHandler` with `f` applied to each event, then released: what the worker runs per task,
 * without a Scope.
 */
export const runHandlerForEach = <E, R>(
  run: TaskRun,
  name: string,
  handler: TaskHandler,
  directory: LazyDirectory,
  control: AttemptControl,
  f: (event: TaskEvent) => Effect.Effect<unknown, E, R>,
): Effect.Effect<void, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.withFiberRuntime<void, E, R>((fiber, status) => {
      const attempt = start(fiber, status, run, name, handler, directory, control)
      return Effect.ensuring(restore(attempt.events.forEach(f)), attempt.release)
    }),
  )
