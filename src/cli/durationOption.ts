/** A duration flag ("500ms", "10s", "1m30s", "1h"), parsed with the spec language's duration syntax. */
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Duration, Effect } from "effect"
import { DURATION_EXPECTED, parseDuration } from "../domain/spec/Durations.js"

export const durationOption = (name: string, fallback: string, description: string) =>
  Options.text(name).pipe(
    Options.withDefault(fallback),
    Options.mapEffect((text) => {
      const ms = parseDuration(text)
      return ms === undefined
        ? Effect.fail(
            ValidationError.invalidValue(
              HelpDoc.p(`--${name}: expected ${DURATION_EXPECTED}, got "${text}"`),
            ),
          )
        : Effect.succeed(Duration.millis(ms))
    }),
    Options.withDescription(description),
  )
