// Which run and node a piece of tool code belongs to, so that a fault the tool's code raises where no
// one can catch it (a promise rejected and never awaited, an exception thrown in a timer callback) fails
// that run instead of the process. Each loop tool is called inside an AsyncLocalStorage scope; every
// promise, timer and callback it creates inherits the scope, and Node hands the process-level
// 'unhandledRejection' and 'uncaughtException' listeners the scope of the code that raised the fault.
// (An exception thrown in a queueMicrotask callback arrives without a scope: it cannot be attributed.)
import { AsyncLocalStorage } from 'node:async_hooks'

/** What the executor exposes of a run to the fault handlers. */
export interface ScopedRun {
  /** Fails the run with `err` as node `node`'s failure; false when the run had already ended. */
  failFromScope(node: number, err: unknown, kind: FaultKind): boolean
  readonly requestId: string | undefined
}

export type FaultKind = 'unhandled promise rejection' | 'uncaught exception'

export class ToolScope {
  constructor(readonly run: ScopedRun, readonly node: number, readonly nodeName: string) {}
}

export const toolScope = new AsyncLocalStorage<ToolScope>()

/** A fault traced back to a tool: where it came from, and whether it ended a run still in progress. */
export interface ToolFault {
  node: string
  requestId: string | undefined
  /** False when the run had already ended (the tool's code kept running after its run). */
  failedRun: boolean
}

/**
 * Called from a process-level fault listener: when the code that raised `err` ran inside a tool,
 * fails that tool's run (if still in progress) and says where it came from; undefined otherwise.
 */
export function attributeFault(err: unknown, kind: FaultKind): ToolFault | undefined {
  const scope = toolScope.getStore()
  if (scope === undefined) return undefined
  return { node: scope.nodeName, requestId: scope.run.requestId, failedRun: scope.run.failFromScope(scope.node, err, kind) }
}

/** The tool whose code is running now, if any: what a watchdog names when the event loop is blocked. */
export function runningTool(): { node: string; requestId: string | undefined } | undefined {
  const scope = toolScope.getStore()
  return scope === undefined ? undefined : { node: scope.nodeName, requestId: scope.run.requestId }
}
