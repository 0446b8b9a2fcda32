/**
 * The StatisticsKeeper refreshes the Store's planner statistics now and then, where no autovacuum
 * does (PGlite; a PostgreSQL server with it off): otherwise statements prepared while the tables
 * were small keep plans made for small tables. Where autovacuum keeps up, a pass finds nothing to
 * do. Any number of replicas may run it.
 */
import { Duration, Effect, Layer, Schedule } from "effect"
import { Store } from "../ports/Store.js"

export interface StatisticsKeeperOptions {
  /** Time between passes; default 10 s (a pass is one catalog query unless a table has doubled). */
  readonly interval?: Duration.DurationInput
}

export const StatisticsKeeperLive = (options: StatisticsKeeperOptions = {}) =>
  Layer.scopedDiscard(
    Effect.flatMap(Store, (store) => store.refreshStatistics).pipe(
      Effect.tap((tables) =>
        tables.length > 0 ? Effect.logDebug(`analyzed ${tables.join(", ")}`) : Effect.void,
      ),
      Effect.catchAllCause((cause) => Effect.logWarning("refreshing planner statistics failed", cause)),
      Effect.repeat(Schedule.spaced(options.interval ?? Duration.seconds(10))),
      Effect.forkScoped,
    ),
  )
