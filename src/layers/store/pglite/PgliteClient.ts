/**
 * A SqlClient over in-process PGlite: the embedded default. PGlite is one PostgreSQL session, so a
 * one-holder lock is held by each statement, or by a whole transaction, and LISTEN registers
 * through the same lock so it never lands inside another fiber's open transaction. The lock is
 * first-come first-served (a one-slot Queue, whose waiting takers are served in order): with a
 * semaphore, a fiber releasing and re-taking it in a loop starves every other fiber. Statements
 * are compiled by @effect/sql-pg's compiler, so the SQL is identical to the PostgreSQL client's.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { PGlite } from "@electric-sql/pglite"
import { Context, Effect, Layer, Queue, type Scope, Stream } from "effect"
import { ChangeListener } from "../ChangeListener.js"

/** Where PGlite keeps its data: a directory on disk, or memory when absent. */
export interface PgliteOptions {
  readonly dataDir?: string | undefined
}

// PGlite runs in this thread and its promises resolve as microtasks, so a long run of statements
// (a million-task insert in one transaction) would never let the event loop poll: gRPC streams,
// heartbeats and IPC would stall. Every few milliseconds a statement first waits one turn of it.
let lastTurn = performance.now()
const letEventLoopTurn = Effect.suspend(() => {
  const now = performance.now()
  if (now - lastTurn < 10) return Effect.void
  lastTurn = now
  return Effect.async<void>((resume) => {
    const handle = setImmediate(() => resume(Effect.void))
    return Effect.sync(() => clearImmediate(handle))
  })
})

const attempt = <A>(message: string, run: () => Promise<A>) =>
  Effect.zipRight(
    letEventLoopTurn,
    Effect.tryPromise({ try: run, catch: (cause) => new SqlError({ cause, message }) }),
  )

/** Opens PGlite for the scope's lifetime and builds the SqlClient and ChangeListener over it. */
export const make = (
  options: PgliteOptions = {},
): Effect.Effect<
  { readonly client: SqlClient.SqlClient; readonly listener: ChangeListener["Type"] },
  SqlError,
  Scope.Scope | Reactivity.Reactivity
> =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      attempt("PGlite failed to start", () =>
        options.dataDir === undefined ? PGlite.create() : PGlite.create(options.dataDir),
      ),
      (db) => Effect.promise(() => db.close()),
    )
    const lock = yield* Queue.bounded<void>(1)
    yield* Queue.offer(lock, undefined)
    const hold = Effect.acquireRelease(Queue.take(lock), () => Queue.offer(lock, undefined))
    const exclusive = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.scoped(Effect.zipRight(hold, effect))

    // Parameterless text may hold several statements (migrations): only exec's simple protocol runs them.
    const rowsOf = (sql: string, params: ReadonlyArray<unknown>) =>
      params.length === 0
        ? Effect.map(
            attempt("Failed to execute statement", () => db.exec(sql)),
            (results): ReadonlyArray<object> => results.at(-1)?.rows ?? [],
          )
        : Effect.map(
            attempt("Failed to execute statement", () => db.query<object>(sql, [...params])),
            (result): ReadonlyArray<object> => result.rows,
          )

    const execute = (
      sql: string,
      params: ReadonlyArray<unknown>,
      transformRows: (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined,
    ) => Effect.map(rowsOf(sql, params), (rows) => (transformRows === undefined ? rows : transformRows(rows)))

    const connection: Connection = {
      execute,
      executeUnprepared: execute,
      executeRaw: (sql, params) => attempt("Failed to execute statement", () => db.query(sql, [...params])),
      executeValues: (sql, params) =>
        Effect.map(
          attempt("Failed to execute statement", () =>
            db.query<Array<unknown>>(sql, [...params], { rowMode: "array" }),
          ),
          (result) => result.rows,
        ),
      executeStream: (sql, params, transformRows) =>
        Stream.fromIterableEffect(execute(sql, params, transformRows)),
    }

    // Scoped: a statement releases the lock when it finishes, a transaction when it commits.
    const acquirer = Effect.as(hold, connection)

    const client = yield* SqlClient.make({
      acquirer,
      compiler: PgClient.makeCompiler(undefined, false),
      spanAttributes: [
        ["db.system.name", "postgresql"],
        ["db.namespace", options.dataDir ?? "pglite:memory"],
      ],
    })

    const listen = (channel: string) =>
      Stream.asyncPush<string, SqlError>((emit) =>
        Effect.acquireRelease(
          exclusive(attempt("Failed to listen", () => db.listen(channel, (payload) => emit.single(payload)))),
          (unsubscribe) => Effect.ignore(exclusive(attempt("Failed to unlisten", () => unsubscribe()))),
        ),
      )

    return { client, listener: { listen } }
  })

/** SqlClient and ChangeListener over PGlite; the database closes when the layer's scope ends. */
export const layer = (
  options: PgliteOptions = {},
): Layer.Layer<SqlClient.SqlClient | ChangeListener, SqlError> =>
  Layer.scopedContext(
    Effect.map(make(options), ({ client, listener }) =>
      Context.make(SqlClient.SqlClient, client).pipe(Context.add(ChangeListener, listener)),
    ),
  ).pipe(Layer.provide(Reactivity.layer))
