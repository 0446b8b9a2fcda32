/** How a benchmark script ends: exit 0 once `program` succeeds (after `cleanup`), else print the error and exit 1. */
import { Effect } from "effect"

export const runScript = <A, E>(program: Effect.Effect<A, E>, cleanup: () => void = () => {}): void => {
  Effect.runPromise(program).then(
    () => {
      cleanup()
      process.exit(0)
    },
    (error) => {
      console.error(error)
      process.exit(1)
    },
  )
}
