// A pool thread (piscina worker). Before the thread reports ready, it imports every sync tool of the
// flow once and builds its callable (flex classes are constructed here, one instance per thread), so a
// task is only an index and the tool's inputs. The top-level await also makes piscina load this file
// as ESM: its require() attempt fails on it and it falls back to import().
import { parentPort, workerData } from 'node:worker_threads'
import { pathToFileURL } from 'node:url'
import { importFile } from '../flow/module-loader.js'
import { POOL_THREAD } from '../tools/http-sync.js'
import type { PoolTool } from './plan.js'
import { unsendable } from './sendable.js'

export interface PoolTask {
  tool: number
  args: Record<string, unknown>
}

export const THREAD_READY = 'floodgate:pool-thread-ready'

type Callable = (args: Record<string, unknown>) => unknown

async function prepare(tool: PoolTool): Promise<Callable> {
  const mod = tool.built ? ((await import(pathToFileURL(tool.file).href)) as Record<string, unknown>) : await importFile(tool.file)
  const target = mod[tool.exportName] as (...args: unknown[]) => unknown
  if (tool.form === 'function') return target as Callable
  const instance = new (target as unknown as new (init?: unknown) => { call: Callable })(tool.init)
  return (args) => instance.call(args)
}

// httpGetSync in this thread asks the pool's main thread to do its I/O (no helper thread per pool thread).
;(globalThis as Record<symbol, unknown>)[POOL_THREAD] = true
const tools = (workerData as { tools: PoolTool[] }).tools
const callables: Callable[] = []
for (const tool of tools) callables.push(await prepare(tool))
// piscina counts a starting thread as ready at once; this tells ToolPool.ready() the tools are loaded.
parentPort?.postMessage(THREAD_READY)

export default function runTool(task: PoolTask): unknown {
  const result = callables[task.tool]!(task.args)
  return result instanceof Promise ? result.then(sendable) : sendable(result)
}

function sendable(result: unknown): unknown {
  const bad = unsendable(result)
  if (bad) throw new TypeError(`the sync tool returned ${bad}, which cannot leave its pool thread; return plain data (strings, numbers, booleans, null, lists, objects)`)
  return result
}
