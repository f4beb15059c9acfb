// Which run and node a piece of tool code belongs to, so that a fault the tool's code raises where no
// one can catch it (a promise rejected and never awaited, an exception thrown in a timer callback) fails
// that run instead of the process.
//
// Promises: each loop tool is called with its scope as "current"; V8's promise hooks tag every promise
// created meanwhile with it and set it again while that promise's reactions run (an `await` goes on in
// its tool's scope). A rejection nobody handles arrives with its promise, hence its run and node.
// AsyncLocalStorage would follow timers and sockets too, but in Node 20 it runs a hook for every async
// resource of the process: measured with cachegrind, 766k instructions per served request of a
// one-node flow against 618k without it (+24%); the promise hooks cost 628k (+1.5%).
// Other faults (an exception in a timer callback) are traced by their stack: the frames in a loop
// tool's file name the node, and the run is the one run in progress in that node, if there is one.
import { fileURLToPath } from 'node:url'
import { promiseHooks } from 'node:v8'

/** What the executor exposes of a run to the fault handlers. */
export interface ScopedRun {
  /** Fails the run with `err` as node `node`'s failure; false when the run had already ended. */
  failFromScope(node: number, err: unknown, kind: FaultKind): boolean
  /** The index of this run's loop node in progress whose tool file is `file`, or -1. */
  nodeRunningFrom(file: string): number
  nodeName(node: number): string
  readonly requestId: string | undefined
}

export type FaultKind = 'unhandled promise rejection' | 'uncaught exception'

export class ToolScope {
  constructor(readonly run: ScopedRun, readonly node: number, readonly nodeName: string) {}
}

const kScope = Symbol('floodgate.toolScope')
type Tagged = Promise<unknown> & { [kScope]?: ToolScope }

// The scope of the tool code running now, if any.
let current: ToolScope | undefined
let hooked = false

function hook(): void {
  hooked = true
  promiseHooks.createHook({
    init(promise, parent) {
      const scope = current ?? (parent as Tagged | undefined)?.[kScope]
      if (scope !== undefined) (promise as Tagged)[kScope] = scope
    },
    before(promise) {
      current = (promise as Tagged)[kScope]
    },
    after() {
      current = undefined
    }
  })
}

/** Calls a loop tool inside `scope`. */
export function callInScope<A, C>(scope: ToolScope, call: (args: A, context: C) => unknown, args: A, context: C): unknown {
  if (!hooked) hook()
  const outer = current
  current = scope
  try {
    return call(args, context)
  } finally {
    current = outer
  }
}

// Runs in progress, and the nodes that each loop tool file implements: to trace a stack to a run.
const activeRuns = new Set<ScopedRun>()
const toolFiles = new Map<string, string>()

export function runStarted(run: ScopedRun): void {
  activeRuns.add(run)
}

export function runEnded(run: ScopedRun): void {
  activeRuns.delete(run)
}

export function registerToolFile(file: string, node: string): void {
  toolFiles.set(file, node)
}

/** A fault traced back to a tool: where it came from, and whether it ended a run still in progress. */
export interface ToolFault {
  node: string
  requestId: string | undefined
  /** False when no run was failed: it had ended, or several runs were in that node and none could be told apart. */
  failedRun: boolean
  /** Runs in progress in that node when the fault could not be told to be one of theirs. */
  candidates: number
}

/**
 * Called from a process-level fault listener: when the code that raised `err` (or created `promise`)
 * was a tool's, fails that tool's run (if it can tell which) and says where it came from; undefined
 * when the fault cannot be traced to a tool.
 */
export function attributeFault(err: unknown, kind: FaultKind, promise?: Promise<unknown>): ToolFault | undefined {
  const scope = (promise as Tagged | undefined)?.[kScope] ?? current
  if (scope !== undefined) {
    return { node: scope.nodeName, requestId: scope.run.requestId, failedRun: scope.run.failFromScope(scope.node, err, kind), candidates: 1 }
  }
  const file = firstToolFrame(err)
  if (file === undefined) return undefined
  const node = toolFiles.get(file)!
  const running: Array<[ScopedRun, number]> = []
  for (const run of activeRuns) {
    const index = run.nodeRunningFrom(file)
    if (index >= 0) running.push([run, index])
  }
  if (running.length !== 1) return { node, requestId: undefined, failedRun: false, candidates: running.length }
  const [run, index] = running[0]
  return { node: run.nodeName(index), requestId: run.requestId, failedRun: run.failFromScope(index, err, kind), candidates: 1 }
}

/** The first file of `err`'s stack that is a loop tool's module. */
function firstToolFrame(err: unknown): string | undefined {
  const stack = err instanceof Error ? err.stack : undefined
  if (stack === undefined) return undefined
  for (const m of stack.matchAll(/^\s+at (?:.*\()?(.+?):\d+:\d+\)?$/gm)) {
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1]
    if (toolFiles.has(file)) return file
  }
  return undefined
}

/** The tool whose code is running now, if any: what a watchdog names when the event loop is blocked. */
export function runningTool(): { node: string; requestId: string | undefined } | undefined {
  return current === undefined ? undefined : { node: current.nodeName, requestId: current.run.requestId }
}
