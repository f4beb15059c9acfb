// The watchdog thread of watchdog.ts: notices that the main thread's event loop stopped ticking, asks it
// through the inspector which tool is running, and writes a warning log line (pino's format) to stdout.
import { writeSync } from 'node:fs'
import { Session } from 'node:inspector'
import { workerData } from 'node:worker_threads'
import { BEAT_MS, RUNNING_TOOL_KEY, type WatchdogData } from './watchdog.js'

const { lastBeat, reportAfterMs, flow, pid } = workerData as WatchdogData
const QUESTION = `globalThis[Symbol.for(${JSON.stringify(RUNNING_TOOL_KEY)})]()`
// The beat before the block being reported, if one is.
let reportedBeat: number | undefined

setInterval(() => {
  const beat = Number(Atomics.load(lastBeat, 0))
  const stale = Date.now() - beat
  if (reportedBeat !== undefined && beat !== reportedBeat) {
    log({ flow, blockedMs: beat - reportedBeat }, 'event loop moving again')
    reportedBeat = undefined
  } else if (reportedBeat === undefined && stale >= reportAfterMs + BEAT_MS) {
    reportedBeat = beat
    report(stale)
  }
}, BEAT_MS)

function report(blockedMs: number): void {
  // A session for each question, closed on its answer: one left connected made the main thread print
  // "Waiting for the debugger to disconnect..." when the server stopped.
  const session = new Session()
  session.connectToMainThread()
  session.post('Runtime.evaluate', { expression: QUESTION, returnByValue: true }, (err, answer) => {
    session.disconnect()
    const tool = err ? null : (JSON.parse(String(answer.result.value)) as { node: string; requestId?: string } | null)
    if (tool === null) {
      log({ flow, blockedMs }, 'event loop blocked, outside any tool: runs on this process wait; with several workers the primary replaces it past --timeout')
    } else {
      log({ flow, node: tool.node, reqId: tool.requestId, blockedMs }, `event loop blocked by node "${tool.node}" (an async tool must not block: make it sync to run on the pool, or await); runs on this process wait; with several workers the primary replaces it past --timeout`)
    }
  })
}

function log(fields: Record<string, unknown>, msg: string): void {
  writeSync(1, `${JSON.stringify({ level: 40, time: Date.now(), pid, ...fields, msg })}\n`)
}
