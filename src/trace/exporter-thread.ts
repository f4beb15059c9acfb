// The tracing thread: builds the spans of the runs the main thread hands it (spans.ts) and exports them
// through the OpenTelemetry JS SDK (BatchSpanProcessor + OTLP/HTTP exporter). Building and serializing
// spans costs ~16 us per run of a one-node flow: on the serving thread that is 40% of what serving the
// run costs (docs/architecture.md), here it costs the event loop nothing. A collector that is slow or
// down never reaches the runs: exports are bounded in time, and past MAX_PENDING spans not yet exported
// new runs' spans are dropped whole, and counted.
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'
import { emitRun } from './spans.js'
import { spanTotal, type ThreadSettings, type TracerStats, type ToThread } from './protocol.js'
import type { RunRecord } from './record.js'

// The serving thread comes first: on Linux a thread's nice value is its own, so this thread alone yields
// the CPU when cores are short; it then falls behind, and past its bound spans are dropped and counted,
// rather than requests slowed. (Lowering one's priority needs no privilege; elsewhere it may not apply.)
try {
  setPriority(19)
} catch {
  // not supported here: the thread runs at the process's priority
}

const settings = workerData as ThreadSettings
const stats: TracerStats = { received: 0, exported: 0, failed: 0, dropped: 0, unsampled: 0, lastError: null }
let pending = 0

// Counts what the SDK's exporter did with each batch: exported, or failed (collector down, timed out).
class CountingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      pending -= spans.length
      if (result.code === ExportResultCode.SUCCESS) {
        stats.exported += spans.length
      } else {
        stats.failed += spans.length
        stats.lastError = result.error?.message ?? 'export failed'
      }
      report()
      done(result)
    })
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown()
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve()
  }
}

const exporter = new OTLPTraceExporter({ url: settings.url, timeoutMillis: settings.exportTimeoutMs, concurrencyLimit: 4, keepAlive: true })
const provider = new BasicTracerProvider({
  // process.pid tells a cluster's workers apart (semantic conventions' process resource).
  resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME || 'floodgate', [ATTR_SERVICE_VERSION]: settings.version, 'process.pid': process.pid }),
  spanProcessors: [new BatchSpanProcessor(new CountingExporter(exporter), {
    // Never full before our own bound (pending) drops: the SDK would drop single spans, leaving broken traces.
    maxQueueSize: settings.maxPending * 2,
    maxExportBatchSize: settings.batchSize,
    scheduledDelayMillis: settings.delayMs,
    exportTimeoutMillis: settings.exportTimeoutMs + 500
  })]
})
const tracer = provider.getTracer('floodgate', settings.version)

let reportTimer: NodeJS.Timeout | null = null
/** Stats to the main thread, at most every 200 ms. */
function report(): void {
  reportTimer ??= setTimeout(() => {
    reportTimer = null
    parentPort!.postMessage({ type: 'stats', stats })
  }, 200)
}

function onRuns(records: RunRecord[]): void {
  for (const record of records) {
    const spans = spanTotal(record)
    stats.received += spans
    if (pending + spans > settings.maxPending) {
      stats.dropped += spans
      continue
    }
    if (emitRun(tracer, record)) pending += spans
    else stats.unsampled += spans
  }
  report()
}

async function close(timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
  await Promise.race([provider.shutdown().catch(() => {}), bound])
  clearTimeout(timer)
  // Whatever is still queued or in flight now will not be exported.
  if (pending > 0) {
    stats.failed += pending
    stats.lastError ??= `the collector did not take the last spans within ${timeoutMs} ms`
    pending = 0
  }
  parentPort!.postMessage({ type: 'closed', stats })
}

parentPort!.on('message', (message: ToThread) => {
  if (message.type === 'runs') onRuns(message.records)
  else if (message.type === 'close') void close(message.timeoutMs)
})
