// The cluster primary's heartbeat, as gunicorn's worker timeout: each ready worker is pinged over IPC and
// answers from its event loop. A worker silent for longer than the timeout (serve's --timeout) has an
// event loop that something blocks (an async tool in a busy loop, say) and that nothing on its thread
// can preempt: the primary kills it and forks a new one. (In serve the worker's watchdog thread,
// src/serve/watchdog.ts, has by then logged which node blocks it.)
import type { Worker } from 'node:cluster'
import { PING, PONG, isMessage, type Pong } from './messages.js'

interface Beat {
  answeredAt: number
}

export type OnSilent = (worker: Worker, silentMs: number) => void

export class Heartbeat {
  private readonly beats = new Map<Worker, Beat>()
  private readonly timer: NodeJS.Timeout | undefined

  /** `timeoutMs` 0 turns the heartbeat off. */
  constructor(private readonly timeoutMs: number, private readonly onSilent: OnSilent) {
    if (timeoutMs > 0) this.timer = setInterval(() => this.tick(), pingEvery(timeoutMs)).unref()
  }

  /** Starts watching a worker that is ready to serve. */
  watch(worker: Worker): void {
    if (this.timer === undefined) return
    const beat: Beat = { answeredAt: performance.now() }
    this.beats.set(worker, beat)
    worker.on('message', (message: unknown) => {
      if (!isMessage<Pong>(message, PONG)) return
      beat.answeredAt = performance.now()
    })
  }

  forget(worker: Worker): void {
    this.beats.delete(worker)
  }

  stop(): void {
    clearInterval(this.timer)
    this.beats.clear()
  }

  private tick(): void {
    const now = performance.now()
    for (const [worker, beat] of this.beats) {
      const silentMs = now - beat.answeredAt
      if (silentMs > this.timeoutMs) {
        this.beats.delete(worker)
        this.onSilent(worker, silentMs)
      } else if (worker.isConnected()) {
        worker.send({ type: PING })
      }
    }
  }
}

/** Ten pings per timeout, between every 100 ms and every second. */
function pingEvery(timeoutMs: number): number {
  return Math.min(1000, Math.max(100, timeoutMs / 10))
}
