// Names what blocks a serving process's event loop. The main thread writes the time into shared memory
// every BEAT_MS; a small watchdog thread (watchdog-thread.ts) sees the time go stale, and once the loop has been
// stuck for `reportAfterMs` asks the main thread, through the inspector protocol, which tool's scope
// (src/executor/tool-scope.ts) the running code belongs to. The inspector runs that question between two
// instructions of the stuck code, so the answer is the tool that blocks, not one that ran before. The
// thread writes a warning line in pino's format itself (the main thread cannot), and another when the
// loop moves again. It costs a thread of about 9 MiB per process.
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import { runningTool } from '../executor/index.js'
import { siblingUrl, threadExecArgv } from '../process/index.js'

export const BEAT_MS = 100
/** The global the watchdog's question calls (an inspector evaluation sees only globals). */
export const RUNNING_TOOL_KEY = 'floodgate.runningTool'

export interface WatchdogData {
  /** Epoch ms of the main thread's latest beat. */
  lastBeat: BigInt64Array
  reportAfterMs: number
  flow: string
  pid: number
}

/** Starts watching this thread's event loop; `stop()` ends it. Without it, the process serves on. */
export function startWatchdog(flow: string, reportAfterMs: number, logger: Logger): { stop(): void } {
  ;(globalThis as Record<symbol, unknown>)[Symbol.for(RUNNING_TOOL_KEY)] = () => JSON.stringify(runningTool() ?? null)
  const lastBeat = new BigInt64Array(new SharedArrayBuffer(8))
  const tick = (): void => {
    Atomics.store(lastBeat, 0, BigInt(Date.now()))
  }
  tick()
  const beat = setInterval(tick, BEAT_MS)
  beat.unref()
  const entry = siblingUrl('watchdog-thread', import.meta.url)
  const data: WatchdogData = { lastBeat, reportAfterMs, flow, pid: process.pid }
  // A thread that cannot start (refused at once, or failing later: no file descriptor left, say) only
  // costs the diagnosis; the server, already listening, serves on.
  const failed = (err: unknown): void => {
    clearInterval(beat)
    logger.warn({ err }, 'the event-loop watchdog thread failed; blocked event loops will not be named in the log')
  }
  let thread: Worker
  try {
    thread = new Worker(entry, {
      workerData: data,
      execArgv: threadExecArgv(entry),
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 }
    })
  } catch (err) {
    failed(err)
    return { stop() {} }
  }
  thread.unref()
  thread.on('error', failed)
  return {
    stop() {
      clearInterval(beat)
      void thread.terminate()
    }
  }
}

/** When the watchdog speaks up: after a second of blocked loop, or half the run timeout if shorter. */
export function watchdogReportAfterMs(timeoutSeconds: number): number {
  return timeoutSeconds > 0 ? Math.min(1000, (timeoutSeconds * 1000) / 2) : 1000
}
