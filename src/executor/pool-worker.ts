// A pool thread (see pool.ts). Before the thread reports ready, it imports every sync tool of the flow
// once and builds its callable (flex classes are constructed here, one instance per thread), so a task
// is only a tool index and its inputs: [tool, args] in, [ok, value or error, started, ended] out, the
// times in epoch ms by this thread's clock (exported traces time the node by them). A tool returning a
// promise (a plain function that calls something async) is awaited before the answer.
import { parentPort, workerData } from 'node:worker_threads'
import { pathToFileURL } from 'node:url'
import { POOL_THREAD, moduleExports } from '../tool-runtime/index.js'
import { epochNow } from '../clock.js'
import { messageOf } from '../errors.js'
import type { PoolTool } from '../flow/plan.js'
import { unsendable } from './sendable.js'

export const THREAD_READY = 'floodgate:pool-thread-ready'

type Callable = (args: Record<string, unknown>) => unknown
type Task = [tool: number, args: Record<string, unknown>]

async function prepare(tool: PoolTool): Promise<Callable> {
  const mod = moduleExports((await import(pathToFileURL(tool.file).href)) as Record<string, unknown>)
  const target = mod[tool.exportName] as (...args: unknown[]) => unknown
  if (tool.form === 'function') return target as Callable
  const instance = new (target as unknown as new (init?: unknown) => { call: Callable })(tool.init)
  return (args) => instance.call(args)
}

function answer(ok: boolean, value: unknown, started: number): void {
  const ended = epochNow()
  try {
    parentPort!.postMessage([ok, value, started, ended])
  } catch (err) {
    // A value structured clone cannot copy (a function, a socket): say so rather than leave the run waiting,
    // and say what and where when it is a result of plain data holding a function, a symbol or a promise.
    const what = ok ? unsendable(value) : undefined
    const message = what
      ? `the sync tool returned ${what}, which cannot leave its pool thread; return plain data (strings, numbers, booleans, null, lists, objects)`
      : `the tool's ${ok ? 'result' : 'error'} cannot be sent from its pool thread: ${messageOf(err)}`
    parentPort!.postMessage([false, new Error(message), started, ended])
  }
}

function onTask([tool, args]: Task): void {
  const started = epochNow()
  let value: unknown
  try {
    value = callables[tool]!(args)
  } catch (err) {
    answer(false, err, started)
    return
  }
  if (value !== null && typeof value === 'object' && typeof (value as Promise<unknown>).then === 'function') {
    ;(value as Promise<unknown>).then((v) => answer(true, v, started), (err: unknown) => answer(false, err, started))
  } else {
    answer(true, value, started)
  }
}

// A tool's stack traces name its source files (the build has source maps).
process.setSourceMapsEnabled(true)
// httpGetSync in this thread asks the pool's main thread to do its I/O (no helper thread per pool thread).
;(globalThis as Record<symbol, unknown>)[POOL_THREAD] = true
const tools = (workerData as { tools: PoolTool[] }).tools
const callables: Callable[] = []
for (const tool of tools) callables.push(await prepare(tool))
parentPort!.on('message', onTask)
parentPort!.postMessage(THREAD_READY)
