// The tracing thread: turns the runs the main thread hands it into spans (spans.ts) and exports them in
// batches through the OpenTelemetry JS SDK's OTLP/HTTP exporter (protobuf, or JSON). A run waits in the
// queue as the record it came as, and becomes spans only when its batch is exported: spans made then die
// young, in the same turn, where spans made on arrival outlived a young-generation collection or two
// while their batch filled, and were copied and promoted by the GC. Building and serializing spans costs
// tens of microseconds per run: on the serving thread that would be as much as serving the run
// (docs/architecture.md); here it costs the event loop nothing. A collector that is slow or down never
// reaches the runs: exports are bounded in time, and past MAX_PENDING spans not yet exported new runs'
// spans are dropped whole, and counted.
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { RandomIdGenerator, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
// The SDK's own reading of OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (what BasicTracerProvider uses).
import { buildSamplerFromEnv } from '@opentelemetry/sdk-trace-base/build/src/config.js'
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'
import { runSpans, type SpanSource } from './spans.js'
import type { ThreadSettings, TracerStats, ToThread } from './protocol.js'
import { packedSpans, unpackRun, type PackedRun } from './record.js'

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
/** Spans taken and not yet exported: their runs waiting in `queue`, or in an export in flight. */
let pending = 0
/** Runs waiting for export, and the spans they make. */
const queue: PackedRun[] = []
let queuedSpans = 0
let exporting: Promise<void> | null = null
let delayTimer: NodeJS.Timeout | null = null

const Exporter = settings.protocol === 'http/json' ? JsonExporter : ProtobufExporter
const exporter = new Exporter({ url: settings.url, timeoutMillis: settings.exportTimeoutMs, concurrencyLimit: 4, keepAlive: true })
const source: SpanSource = {
  // process.pid tells a cluster's workers apart (semantic conventions' process resource).
  resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME || 'floodgate', [ATTR_SERVICE_VERSION]: settings.version, 'process.pid': process.pid }),
  scope: { name: 'floodgate', version: settings.version },
  ids: new RandomIdGenerator(),
  sampler: buildSamplerFromEnv()
}

let reportTimer: NodeJS.Timeout | null = null
/** Stats to the main thread, at most every 200 ms. */
function report(): void {
  reportTimer ??= setTimeout(() => {
    reportTimer = null
    parentPort!.postMessage({ type: 'stats', stats })
  }, 200)
}

/** The spans of the next runs in the queue, up to batchSize (a run's spans are never split). */
function takeBatch(): ReadableSpan[] {
  const batch: ReadableSpan[] = []
  let taken = 0
  let runs = 0
  while (runs < queue.length) {
    const total = packedSpans(queue[runs]!)
    if (taken > 0 && taken + total > settings.batchSize) break
    taken += total
    const spans = runSpans(source, unpackRun(queue[runs]!))
    runs++
    if (spans === null) {
      stats.unsampled += total
      pending -= total
      continue
    }
    for (const span of spans) batch.push(span)
  }
  queue.splice(0, runs)
  queuedSpans -= taken
  return batch
}

/** One export of up to batchSize spans; the next starts when it ends. */
function exportBatch(): Promise<void> {
  const batch = takeBatch()
  if (batch.length === 0) {
    report()
    return Promise.resolve()
  }
  return new Promise<void>((resolve) => {
    let ended = false
    const end = (result: ExportResult): void => {
      if (ended) return
      ended = true
      clearTimeout(bound)
      pending -= batch.length
      if (result.code === ExportResultCode.SUCCESS) {
        stats.exported += batch.length
      } else {
        stats.failed += batch.length
        stats.lastError = result.error?.message ?? 'export failed'
      }
      report()
      resolve()
    }
    // The exporter bounds its request; this bounds the exporter.
    const bound = setTimeout(() => end({ code: ExportResultCode.FAILED, error: new Error(`export timed out after ${settings.exportTimeoutMs} ms`) }), settings.exportTimeoutMs + 500)
    try {
      exporter.export(batch, end)
    } catch (err) {
      end({ code: ExportResultCode.FAILED, error: err as Error })
    }
  })
}

/** Exports now when a batch is full, else within delayMs; one export at a time. */
function schedule(): void {
  if (exporting !== null || queue.length === 0) return
  if (queuedSpans < settings.batchSize) {
    delayTimer ??= setTimeout(() => {
      delayTimer = null
      startExport()
    }, settings.delayMs)
    return
  }
  startExport()
}

function startExport(): void {
  if (delayTimer) clearTimeout(delayTimer)
  delayTimer = null
  if (exporting !== null || queue.length === 0) return
  exporting = exportBatch().then(() => {
    exporting = null
    schedule()
  })
}

function onRuns(records: PackedRun[]): void {
  for (const packed of records) {
    const total = packedSpans(packed)
    stats.received += total
    if (pending + total > settings.maxPending) {
      stats.dropped += total
      continue
    }
    queue.push(packed)
    queuedSpans += total
    pending += total
  }
  schedule()
  report()
}

/** Exports what is queued, batch after batch, then lets the exporter finish. */
async function drain(): Promise<void> {
  for (;;) {
    if (exporting !== null) await exporting
    else if (queue.length > 0) startExport()
    else break
  }
  await exporter.shutdown()
}

async function close(timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
  await Promise.race([drain().catch(() => {}), bound])
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
