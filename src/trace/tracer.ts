// Exported traces (`--trace otlp=<collector>`), the main thread's side: each finished run becomes a small
// record (record.ts) that goes, in batches, to the tracing thread (exporter-thread.ts), which builds the
// spans and exports them through the OpenTelemetry SDK. The runs never wait for it: records are handed on
// every 100 ms, and when the thread is MAX_PENDING spans behind (a collector down or too slow) new runs'
// spans are dropped, and counted, here. close() is bounded in time.
import { Worker } from 'node:worker_threads'
import { siblingUrl, threadExecArgv } from '../process/index.js'
import { version } from '../version.js'
import { packRun, packedSpans, type PackedRun, type RunContext } from './record.js'
import type { FromThread, ThreadSettings, ToThread, TracerStats } from './protocol.js'
import type { TraceOptions } from './options.js'
import type { RunTrace } from '../executor/index.js'

export type { TracerStats } from './protocol.js'
export type { RunContext } from './record.js'

const MAX_PENDING = 16_384
const FLUSH_MS = 100
const FLUSH_RECORDS = 512

export class RunTracer {
  private readonly worker: Worker
  private readonly maxPending: number
  private buffer: PackedRun[] = []
  private bufferedSpans = 0
  private sentSpans = 0
  private droppedHere = 0
  private thread: TracerStats = { received: 0, exported: 0, failed: 0, dropped: 0, unsampled: 0, lastError: null }
  private timer: NodeJS.Timeout | null = null
  private closing: Promise<TracerStats> | null = null
  private onClosed: ((stats: TracerStats) => void) | null = null

  constructor(readonly options: TraceOptions, settings: Partial<ThreadSettings> = {}) {
    const entry = siblingUrl('exporter-thread', import.meta.url)
    const workerData: ThreadSettings = { url: options.url, protocol: options.protocol, version, maxPending: MAX_PENDING, batchSize: 2048, delayMs: 500, exportTimeoutMs: 2000, ...settings }
    this.maxPending = workerData.maxPending
    this.worker = new Worker(entry, { execArgv: threadExecArgv(entry), workerData })
    this.worker.unref()
    this.worker.on('message', (message: FromThread) => {
      this.thread = message.stats
      if (message.type === 'closed') this.onClosed?.(message.stats)
    })
    this.worker.on('error', (err) => {
      this.thread = { ...this.thread, lastError: `the tracing thread failed: ${err.message}` }
      this.onClosed?.(this.thread)
    })
  }

  /** Records a finished run (succeeded: outputs; failed: error). Cheap, and never waits. */
  run(flow: { name: string; kind: string }, trace: RunTrace, inputs: Record<string, unknown> | null, outputs: Record<string, unknown> | null, error: { code: string; message: string } | null, context?: RunContext): void {
    if (this.closing) return
    const record = packRun(flow, trace, inputs, outputs, error, context)
    const spans = packedSpans(record)
    // Spans on their way to the thread (buffered here, or posted and not yet counted there) are bounded
    // too: a thread that stopped taking them must not make this side grow.
    if (this.sentSpans - this.thread.received + this.bufferedSpans + spans > this.maxPending) {
      this.droppedHere += spans
      return
    }
    this.buffer.push(record)
    this.bufferedSpans += spans
    if (this.buffer.length >= FLUSH_RECORDS) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref()
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.buffer.length === 0) return
    const message: ToThread = { type: 'runs', records: this.buffer }
    this.worker.postMessage(message)
    this.sentSpans += this.bufferedSpans
    this.buffer = []
    this.bufferedSpans = 0
  }

  /** Span counts so far: exported, failed exports, dropped (here or in the thread). */
  stats(): TracerStats {
    return { ...this.thread, dropped: this.thread.dropped + this.droppedHere }
  }

  /** Hands on what is left, lets the thread export it for at most `timeoutMs`, and stops the thread. */
  close(timeoutMs = 3000): Promise<TracerStats> {
    if (this.closing) return this.closing
    this.flush()
    this.closing = new Promise<TracerStats>((resolve) => {
      const timer = setTimeout(() => this.onClosed?.(this.thread), timeoutMs + 1000)
      this.onClosed = (stats) => {
        clearTimeout(timer)
        this.onClosed = null
        resolve(stats)
      }
      const message: ToThread = { type: 'close', timeoutMs }
      this.worker.postMessage(message)
    }).then(async (thread) => {
      await this.worker.terminate()
      // A thread that did not finish in time (still starting, say) leaves spans it never reported on.
      const stats = { ...thread, dropped: thread.dropped + this.droppedHere }
      const unreported = this.sentSpans - (thread.exported + thread.failed + thread.dropped + thread.unsampled)
      if (unreported > 0) {
        stats.failed += unreported
        stats.lastError ??= `the tracing thread did not finish exporting within ${timeoutMs} ms`
      }
      return stats
    })
    return this.closing
  }
}

/** One line on what was exported, for the end of a run. */
export function traceSummary(options: TraceOptions, s: TracerStats): string {
  const others = [
    s.unsampled > 0 ? `${s.unsampled} not sampled` : '',
    s.dropped > 0 ? `${s.dropped} dropped (the collector fell behind)` : '',
    s.failed > 0 ? `${s.failed} failed${s.lastError ? `: ${s.lastError}` : ''}` : ''
  ].filter(Boolean)
  return `trace: ${s.exported} spans exported to ${options.url}${others.length ? `, ${others.join(', ')}` : ''}`
}
