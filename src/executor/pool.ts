// The sync-tool pool: worker threads, each running one blocking tool at a time, so a tool that blocks
// (sleepSync, httpGetSync, a busy loop) holds one pool thread and never the event loop.
//
// Threads are started when tasks need them, up to `maxThreads`, and stopped after `idleTimeoutMs` idle
// (down to `minThreads`): each thread is a V8 isolate of about 8 MiB, and a flow's worst case (every
// run slot in its widest fan-out at once) is far above what its load keeps busy. A free thread goes to
// the waiting task of the earliest run (task-queue.ts); idle threads are reused last-in first-out, so the
// ones at the bottom stay idle and are the ones stopped.
//
// Not piscina: its queue cannot order tasks by run (a task given an AbortSignal, the only way to cancel
// it, skips a custom taskQueue for an internal FIFO), and its balancer scans every thread per task.
import { Worker } from 'node:worker_threads'
import { StartupError, messageOf } from '../errors.js'
import { siblingUrl, threadExecArgv } from '../process/index.js'
import { isHttpChannelMessage, serveHttpJobs } from '../tool-runtime/index.js'
import { TaskQueue, type QueuedTask } from './task-queue.js'
import type { PoolTool } from '../flow/plan.js'

// The thread's first message once its tools are loaded; same as pool-worker.ts's (importing that module
// would run it).
const THREAD_READY = 'floodgate:pool-thread-ready'

const START_TIMEOUT_MS = 60_000
const CLOSED = new Error('the sync-tool pool was closed')

export interface PoolOptions {
  tools: PoolTool[]
  maxThreads: number
  /** Threads started up front and never stopped for idleness (at least 1: it proves the tools load). */
  minThreads: number
  idleTimeoutMs: number
}

/** Who gets a task's outcome: called once, synchronously from the thread's answer, never after cancel(). */
export interface PoolClient {
  poolDone(node: number, ok: boolean, value: unknown): void
}

export class PoolTask implements QueuedTask {
  queueIndex = -1
  thread: PoolThread | null = null
  /** performance.now() when a thread took it; 0 while it waits. */
  startedAt = 0
  /** Reported to its client, or cancelled by it: never reported (again). */
  over = false
  /** Epoch ms when its thread started and ended the tool, by the thread's clock (0 until it answers). */
  ranFrom = 0
  ranTo = 0

  constructor(
    readonly client: PoolClient,
    readonly node: number,
    readonly tool: number,
    readonly args: Record<string, unknown>,
    readonly run: number,
    readonly order: number
  ) {}
}

class PoolThread {
  ready = false
  task: PoolTask | null = null
  /** performance.now() when it became idle, or started its task. */
  since: number
  readonly bornAt: number

  constructor(readonly worker: Worker) {
    this.bornAt = this.since = performance.now()
  }
}

export interface ThreadStats {
  threads: number
  starting: number
  running: number
  queued: number
  completed: number
  utilization: number
  maxThreads: number
  peakThreads: number
}

export class ToolPool {
  private readonly threads = new Set<PoolThread>()
  // Ready threads with no task; the last one freed is reused first.
  private readonly idle: PoolThread[] = []
  private readonly queue = new TaskQueue<PoolTask>()
  private starting = 0
  private running = 0
  private completed = 0
  private peak = 0
  private order = 0
  // For utilization: busy and lifetime milliseconds of threads already gone, and busy time of finished tasks.
  private busyMs = 0
  private goneLifeMs = 0
  private closed = false
  private startError: Error | undefined
  private onStartChange: (() => void) | undefined
  private readonly retireTimer: NodeJS.Timeout | null
  private readonly entry = siblingUrl('pool-worker', import.meta.url)
  private readonly minThreads: number

  constructor(private readonly options: PoolOptions) {
    this.minThreads = Math.min(options.maxThreads, Math.max(1, options.minThreads))
    for (let i = 0; i < this.minThreads; i++) this.spawn()
    this.retireTimer = options.idleTimeoutMs > 0 && options.maxThreads > this.minThreads
      ? setInterval(() => this.retireIdle(), Math.max(100, options.idleTimeoutMs / 2)).unref()
      : null
  }

  /** Resolves once the threads started up front have loaded the tools, so the first run pays no start-up. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onStartChange = undefined
        reject(new StartupError(`sync-tool pool: ${this.idle.length} of ${this.threads.size} threads ready after ${START_TIMEOUT_MS} ms`))
      }, START_TIMEOUT_MS)
      this.onStartChange = () => {
        if (this.startError) reject(new StartupError(`sync-tool pool failed to start: ${messageOf(this.startError)}`, {}, { cause: this.startError }))
        else if (this.starting > 0) return
        else resolve()
        clearTimeout(timer)
        this.onStartChange = undefined
      }
      this.onStartChange()
    })
  }

  /** Runs tool `tool` for `client` (its node `node`, of run `run`): on a free thread now, or in run order. */
  run(client: PoolClient, node: number, tool: number, args: Record<string, unknown>, run: number): PoolTask {
    const task = new PoolTask(client, node, tool, args, run, this.order++)
    this.queue.push(task)
    this.dispatch()
    return task
  }

  /** Cancels a task: a waiting one leaves the queue, a running one's thread is stopped (and replaced when needed). */
  cancel(task: PoolTask): void {
    task.over = true
    const thread = task.thread
    if (thread === null) {
      this.queue.remove(task)
      return
    }
    task.thread = null
    this.remove(thread)
    thread.task = null
    this.running--
    void thread.worker.terminate()
    this.dispatch()
  }

  stats(): ThreadStats {
    const now = performance.now()
    let life = this.goneLifeMs
    let busy = this.busyMs
    for (const t of this.threads) {
      life += now - t.bornAt
      if (t.task) busy += now - t.since
    }
    return {
      threads: this.threads.size,
      starting: this.starting,
      running: this.running,
      queued: this.queue.size,
      completed: this.completed,
      utilization: life > 0 ? Math.min(1, busy / life) : 0,
      maxThreads: this.options.maxThreads,
      peakThreads: this.peak
    }
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retireTimer) clearInterval(this.retireTimer)
    this.idle.length = 0
    const threads = [...this.threads]
    this.threads.clear()
    for (const task of this.queue.drain()) report(task, false, CLOSED)
    for (const t of threads) if (t.task) report(t.task, false, CLOSED)
    await Promise.allSettled(threads.map((t) => t.worker.terminate()))
  }

  /**
   * Gives waiting tasks to idle threads, earliest run first; starts threads for the rest, up to the
   * maximum, and replaces stopped ones below the minimum.
   */
  private dispatch(): void {
    if (this.closed) {
      // A run that started while the pool closed (it got a slot another run gave back): fail its tasks,
      // after run() has returned them.
      for (const task of this.queue.drain()) queueMicrotask(() => report(task, false, CLOSED))
      return
    }
    while (this.queue.size > 0 && this.idle.length > 0) this.start(this.idle.pop()!, this.queue.shift()!)
    while (this.threads.size < this.options.maxThreads && (this.queue.size > this.starting || this.threads.size < this.minThreads)) this.spawn()
  }

  private start(thread: PoolThread, task: PoolTask): void {
    thread.task = task
    thread.since = task.startedAt = performance.now()
    task.thread = thread
    this.running++
    thread.worker.postMessage([task.tool, task.args])
  }

  private spawn(): void {
    const worker = new Worker(this.entry, {
      execArgv: threadExecArgv(this.entry),
      workerData: { tools: this.options.tools }
    })
    const thread = new PoolThread(worker)
    this.threads.add(thread)
    this.starting++
    if (this.threads.size > this.peak) this.peak = this.threads.size
    worker.on('message', (message: unknown) => this.onMessage(thread, message))
    worker.on('error', (err: Error) => this.onExit(thread, err))
    worker.on('exit', (code: number) => this.onExit(thread, new Error(`pool thread exited with code ${code}`)))
  }

  private onMessage(thread: PoolThread, message: unknown): void {
    // A thread stopped on purpose (a cancelled task, retired, closed) may still have an answer in flight.
    if (!this.threads.has(thread)) return
    if (Array.isArray(message)) {
      const task = thread.task
      if (task) {
        task.ranFrom = message[2] as number
        task.ranTo = message[3] as number
      }
      this.finish(thread, message[0] as boolean, message[1])
    } else if (message === THREAD_READY) {
      thread.ready = true
      this.starting--
      this.becomeIdle(thread)
      this.dispatch()
      this.onStartChange?.()
    } else if (isHttpChannelMessage(message)) {
      // A pool thread's httpGetSync: this (main) thread serves its requests from now on.
      serveHttpJobs(message.port, message.signal)
      message.port.unref() // after the listener, which refs the port: it must not keep the process alive
    }
  }

  private finish(thread: PoolThread, ok: boolean, value: unknown): void {
    const task = thread.task
    if (task === null) return
    thread.task = null
    task.thread = null
    this.running--
    this.completed++
    this.busyMs += performance.now() - thread.since
    // Free before the client hears: the run's next node, submitted from poolDone, can take this thread
    // unless an earlier run's task is waiting (dispatch() picks by run).
    this.becomeIdle(thread)
    report(task, ok, value)
    this.dispatch()
  }

  private becomeIdle(thread: PoolThread): void {
    thread.since = performance.now()
    this.idle.push(thread)
  }

  private onExit(thread: PoolThread, err: Error): void {
    if (!this.threads.has(thread)) return // stopped on purpose, or already reported
    this.remove(thread)
    if (!thread.ready) {
      this.starting--
      this.startError ??= err
      this.onStartChange?.()
      // A thread that cannot even load the tools would fail again: do not leave tasks waiting on it.
      if (this.threads.size === 0) for (const task of this.queue.drain()) report(task, false, err)
      return
    }
    const task = thread.task
    if (task) {
      task.thread = null
      this.running--
      report(task, false, err)
    }
    this.dispatch()
  }

  private remove(thread: PoolThread): void {
    this.threads.delete(thread)
    this.goneLifeMs += performance.now() - thread.bornAt
    if (thread.task) this.busyMs += performance.now() - thread.since
    const i = this.idle.indexOf(thread)
    if (i >= 0) this.idle.splice(i, 1)
  }

  /** Stops threads idle for longer than the timeout, the longest idle first, keeping minThreads. */
  private retireIdle(): void {
    const limit = performance.now() - this.options.idleTimeoutMs
    while (this.idle.length > 0 && this.threads.size > this.minThreads && this.idle[0]!.since <= limit) {
      const thread = this.idle[0]!
      this.remove(thread)
      void thread.worker.terminate()
    }
  }
}

/** Tells a task's client how it ended, once, unless the client cancelled it first. */
function report(task: PoolTask, ok: boolean, value: unknown): void {
  if (task.over) return
  task.over = true
  task.client.poolDone(task.node, ok, value)
}
