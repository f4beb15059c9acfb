// Records every request exactly once: per endpoint and aggregated (HDR histogram + exact counters), a
// per-second window (its own histogram, reset each second), status counts, failures and exceptions.
// The hot path (record) does no allocation beyond the histogram's own buckets.
import { encodeHistogram, newHistogram, percentileMs, type Histogram } from './histogram.js'
import { newTotals, toEndpointStats, usToMs, type EndpointTotals } from './stats.js'
import type { Failure } from './failure.js'
import type { ErrorEntry, ExceptionEntry, HistoryPoint, LoadConfig, LoadResult, GeneratorStats } from './result.js'
import { LOAD_RESULT_VERSION } from './result.js'
import { LlmRecorder } from './llm-recorder.js'
import { withLlmStats } from './llm-stats.js'
import type { Slo } from './slo.js'

export class Recorder {
  readonly aggregated = newTotals('', 'Aggregated')
  readonly history: HistoryPoint[] = []
  dropped = 0
  abandoned = 0
  /** performance.now() of the last recorded response, for Locust's rps denominator. */
  lastResponseAt = 0
  /** 503 answers so far: the live line says when the server refuses at capacity. */
  refused = 0
  /** Time to first byte of every response; TTFT, ITL, tokens and goodput of streamed ones. */
  readonly llm: LlmRecorder

  private readonly endpoints = new Map<string, EndpointTotals>()
  private readonly statuses = new Map<number, number>()
  private readonly errors = new Map<string, ErrorEntry>()
  private readonly exceptions = new Map<string, ExceptionEntry>()
  private window: Histogram = newHistogram()
  private windowRequests = 0
  private windowFailures = 0

  constructor(slos: readonly Slo[] = []) {
    this.llm = new LlmRecorder(slos)
  }

  /** The totals of one (method, name); callers keep the reference so the hot path skips the map. */
  endpoint(method: string, name: string): EndpointTotals {
    const key = `${method} ${name}`
    let t = this.endpoints.get(key)
    if (!t) {
      t = newTotals(method, name)
      this.endpoints.set(key, t)
    }
    return t
  }

  /** One finished request. `failure` is set for failed ones (HTTP >= 400 or a transport error). */
  record(ep: EndpointTotals, latencyUs: number, status: number, bytes: number, failure?: Failure): void {
    const us = latencyUs < 1 ? 1 : Math.round(latencyUs)
    add(ep, us, bytes, failure !== undefined)
    add(this.aggregated, us, bytes, failure !== undefined)
    this.window.recordValue(us)
    this.windowRequests++
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1)
    if (status === 503) this.refused++
    this.lastResponseAt = performance.now()
    if (failure) {
      this.windowFailures++
      const key = `${ep.method}\n${ep.name}\n${failure.error}`
      const entry = this.errors.get(key)
      if (entry) entry.occurrences++
      else {
        this.errors.set(key, {
          method: ep.method, name: ep.name, kind: failure.kind, error: failure.error,
          ...(failure.kind === 'http' ? { status } : {}), occurrences: 1
        })
      }
    }
  }

  /** A scenario that threw: grouped by message and stack, as Locust's exceptions table. */
  exception(err: unknown): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    const traceback = err instanceof Error && err.stack ? err.stack : message
    const key = `${message}\n${traceback}`
    const entry = this.exceptions.get(key)
    if (entry) entry.count++
    else this.exceptions.set(key, { count: 1, message, traceback })
  }

  /** Ends the current one-second window: returns its history point and starts a fresh window. */
  closeWindow(tSec: number, windowSec: number, users: number, inFlight: number): HistoryPoint {
    const w = this.window
    const a = this.aggregated
    const secs = windowSec > 0 ? windowSec : 1
    const point: HistoryPoint = {
      t: tSec,
      users,
      requests: this.windowRequests,
      failures: this.windowFailures,
      rps: this.windowRequests / secs,
      failuresPerSec: this.windowFailures / secs,
      p50: percentileMs(w, 50),
      p95: percentileMs(w, 95),
      p99: percentileMs(w, 99),
      inFlight,
      totalRequests: a.requests,
      totalFailures: a.failures,
      totalRefused: this.refused,
      histogram: encodeHistogram(w),
      totalMedianMs: percentileMs(a.hist, 50) ?? 0,
      totalAvgMs: a.requests ? usToMs(a.sumUs / a.requests) : 0,
      totalMinMs: a.requests ? usToMs(a.minUs) : 0,
      totalMaxMs: a.requests ? usToMs(a.maxUs) : 0,
      totalAvgContentBytes: a.requests ? a.bytes / a.requests : 0
    }
    const llm = this.llm.closeWindow(secs)
    if (llm) point.llm = llm
    this.history.push(point)
    w.reset()
    this.windowRequests = 0
    this.windowFailures = 0
    return point
  }

  toResult(config: LoadConfig, startedAt: number, endedAt: number, durationSec: number,
    interrupted: boolean, generator: GeneratorStats): LoadResult {
    return withLlmStats(this.result(config, startedAt, endedAt, durationSec, interrupted, generator))
  }

  private result(config: LoadConfig, startedAt: number, endedAt: number, durationSec: number,
    interrupted: boolean, generator: GeneratorStats): LoadResult {
    const endpoints = [...this.endpoints.values()].map((t) => toEndpointStats(t, durationSec))
    const histograms: Record<string, string> = {}
    for (const [key, t] of this.endpoints) histograms[key] = encodeHistogram(t.hist)
    histograms.Aggregated = encodeHistogram(this.aggregated.hist)
    const statusCounts: Record<string, number> = {}
    for (const [status, n] of [...this.statuses].sort((x, y) => x[0] - y[0])) statusCounts[String(status)] = n
    return {
      version: LOAD_RESULT_VERSION,
      tool: 'floodgate',
      config,
      startedAt,
      endedAt,
      durationSec,
      interrupted,
      endpoints,
      aggregated: toEndpointStats(this.aggregated, durationSec),
      statusCounts,
      history: this.history,
      errors: [...this.errors.values()].sort((x, y) => y.occurrences - x.occurrences),
      exceptions: [...this.exceptions.values()].sort((x, y) => y.count - x.count),
      dropped: this.dropped,
      abandoned: this.abandoned,
      generator,
      histograms,
      llm: this.llm.toResult()
    }
  }
}

function add(t: EndpointTotals, us: number, bytes: number, failed: boolean): void {
  t.hist.recordValue(us)
  t.requests++
  if (failed) t.failures++
  t.bytes += bytes
  t.sumUs += us
  if (us < t.minUs) t.minUs = us
  if (us > t.maxUs) t.maxUs = us
}
