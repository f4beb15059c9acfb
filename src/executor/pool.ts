// The sync-tool pool: piscina worker threads, each running one blocking tool at a time, so a tool that
// blocks (sleepSync, httpGetSync, a busy loop) holds one pool thread and never the event loop.
import { Piscina } from 'piscina'
import { StartupError, messageOf } from '../errors.js'
import { siblingUrl, workerExecArgv } from '../tools/sibling.js'
import { isHttpChannelMessage, serveHttpJobs } from '../tools/http-serve.js'
import type { PoolTool } from './plan.js'
import type { PoolTask } from './pool-worker.js'

// Same as pool-worker.ts's THREAD_READY; not imported from there, since importing that module runs a worker.
const THREAD_READY = 'floodgate:pool-thread-ready'
import type { PoolStats } from './types.js'

const START_TIMEOUT_MS = 60_000

export class ToolPool {
  private readonly piscina: Piscina
  private inFlight = 0
  private startError: Error | undefined
  private readyThreads = 0
  private onStartChange: (() => void) | undefined
  private readonly settle = (): void => {
    this.inFlight--
  }

  constructor(readonly threads: number, tools: PoolTool[]) {
    const entry = siblingUrl('pool-worker', import.meta.url)
    this.piscina = new Piscina({
      filename: entry.href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      execArgv: workerExecArgv(entry),
      workerData: { tools }
    })
    // A thread that dies outside a task (its tool module failed to import) is reported by ready().
    this.piscina.on('error', (err: Error) => {
      this.startError ??= err
      this.onStartChange?.()
    })
    this.piscina.on('message', (message: unknown) => {
      if (isHttpChannelMessage(message)) {
        // A pool thread's httpGetSync: this (main) thread serves its requests from now on.
        serveHttpJobs(message.port, message.signal)
        message.port.unref() // after the listener, which refs the port: it must not keep the process alive
        return
      }
      if (message !== THREAD_READY) return
      this.readyThreads++
      this.onStartChange?.()
    })
  }

  /** Resolves once every thread has imported the tools, so the first run pays no start-up cost. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onStartChange = undefined
        reject(new StartupError(`sync-tool pool: ${this.readyThreads} of ${this.threads} threads ready after ${START_TIMEOUT_MS} ms`))
      }, START_TIMEOUT_MS)
      this.onStartChange = () => {
        if (this.startError) reject(new StartupError(`sync-tool pool failed to start: ${messageOf(this.startError)}`, {}, { cause: this.startError }))
        else if (this.readyThreads < this.threads) return
        else resolve()
        clearTimeout(timer)
        this.onStartChange = undefined
      }
      this.onStartChange()
    })
  }

  /** Runs tool `tool` on a pool thread; `signal` cancels it (a running task's thread is replaced). */
  run(tool: number, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    this.inFlight++
    const task: PoolTask = { tool, args }
    const result = this.piscina.run(task, { signal })
    result.then(this.settle, this.settle)
    return result
  }

  stats(): PoolStats {
    const queued = this.piscina.queueSize
    return {
      threads: this.piscina.threads.length,
      running: Math.max(0, this.inFlight - queued),
      queued,
      completed: this.piscina.completed,
      utilization: this.piscina.utilization
    }
  }

  close(): Promise<void> {
    return this.piscina.destroy()
  }
}
