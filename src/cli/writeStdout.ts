/** Writing a command's (possibly huge) output to stdout without buffering it all in memory. */
import { Effect, Schema, Stream } from "effect"

/** stdout was closed by the reader (e.g. `airavata spec expand … | head`). */
export class StdoutClosed extends Schema.TaggedError<StdoutClosed>()("StdoutClosed", {
  message: Schema.String,
}) {}

/** Completes once Node has handed the text on, so a slow reader slows the producer down. */
const writeOne = (text: string): Effect.Effect<void, StdoutClosed> =>
  Effect.async<void, StdoutClosed>((resume) => {
    process.stdout.write(text, (error) => {
      resume(error ? Effect.fail(new StdoutClosed({ message: error.message })) : Effect.void)
    })
  })

// The write callback already reports the error; without a listener Node would also crash on it.
const ignore = () => {}

/** Writes the stream's strings to stdout with back-pressure, leaving stdout open. */
export const writeStdout = <E, R>(
  output: Stream.Stream<string, E, R>,
): Effect.Effect<void, E | StdoutClosed, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => process.stdout.on("error", ignore)),
    () => Stream.runForEach(output, writeOne),
    () => Effect.sync(() => process.stdout.off("error", ignore)),
  )
