// Runs a function outside every AsyncLocalStorage scope. A connection inherits the scope of the code that
// opened it and keeps it while it stays open: a keep-alive pool's connection opened for one run's tool
// held that tool's scope, and through it the whole ended run (its inputs, outputs and node results), for
// as long as the pool kept the connection: one dead run per pooled connection, every one of them promoted
// to the old generation (5,000 per worker at 10,000 connections). Its callbacks would also have named
// that old run as the source of a fault. Requests made for a tool are sent through this; the tool's own
// awaits keep their scope, which each await takes where it is written.
import { AsyncLocalStorage } from 'node:async_hooks'

// Taken when this module loads, which is never inside a tool's scope: flows load before they run.
const outside = AsyncLocalStorage.snapshot()

export function detached<R>(fn: () => R): R {
  return outside(fn)
}
