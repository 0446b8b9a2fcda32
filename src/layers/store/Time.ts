/** The store's notion of "now": Effect's Clock (TestClock in tests), passed into SQL as a parameter. */
import { Clock, Effect } from "effect"

/** The current time as a Date, for SQL parameters. */
export const now: Effect.Effect<Date> = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis))

/** `date` plus `millis`. */
export const plusMillis = (date: Date, millis: number): Date => new Date(date.getTime() + millis)
