// What the main thread and the tracing thread (exporter-thread.ts) say to each other.
import type { PackedRun } from './record.js'
import type { TraceProtocol } from './options.js'

export interface ThreadSettings {
  url: string
  protocol: TraceProtocol
  version: string
  /** Spans built and not yet exported (queued or in flight) beyond which new runs' spans are dropped. */
  maxPending: number
  batchSize: number
  delayMs: number
  /** One export request's bound, retries included. */
  exportTimeoutMs: number
}

/** Span counts since start. */
export interface TracerStats {
  /** Handed to the tracing thread. */
  received: number
  exported: number
  /** Exports that failed or timed out (collector down, refused, too slow). */
  failed: number
  /** Not built: the bound of spans waiting for export was reached. */
  dropped: number
  /** Left out by the sampler: the caller's traceparent said not sampled, or OTEL_TRACES_SAMPLER. */
  unsampled: number
  lastError: string | null
}

export type ToThread = { type: 'runs'; records: PackedRun[] } | { type: 'close'; timeoutMs: number }
export type FromThread = { type: 'stats' | 'closed'; stats: TracerStats }
