// From the load's own figures to what the page shows: a history second to a chart point, the run so
// far to Locust's table rows (current RPS from two successive snapshots) and the streams' totals. Pure.
import { llmStats, type EndpointStats, type HistoryPoint, type LoadResult } from '../load/index.js'
import type { ChartPoint, StatsRow, StreamTotals } from './messages.js'

export function chartPoint(p: HistoryPoint): ChartPoint {
  const point: ChartPoint = {
    t: p.t, users: p.users, inFlight: p.inFlight, rps: p.rps, failuresPerSec: p.failuresPerSec,
    p50: p.p50, p95: p.p95, p99: p.p99, cpuPercent: p.cpuPercent ?? null
  }
  if (p.llm) {
    point.ttftP50 = p.llm.ttftP50
    point.ttftP95 = p.llm.ttftP95
    point.tokensPerSec = p.llm.tokensPerSec
  }
  return point
}

/** Requests and failures per endpoint key ("GET /x", "Aggregated"), to difference the next snapshot against. */
export type Counts = Map<string, { requests: number; failures: number }>

const keyOf = (e: EndpointStats) => (e.name === 'Aggregated' && e.method === '' ? 'Aggregated' : `${e.method} ${e.name}`)

/** Locust's rows (by name, then Aggregated); current rates over `windowSec` since `previous`. */
export function statsRows(run: LoadResult, previous: Counts, windowSec: number): { rows: StatsRow[]; counts: Counts } {
  const counts: Counts = new Map()
  const secs = windowSec > 0 ? windowSec : 1
  const rows = [...run.endpoints].sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method))
    .concat(run.aggregated).map((e): StatsRow => {
      const key = keyOf(e)
      const before = previous.get(key) ?? { requests: 0, failures: 0 }
      counts.set(key, { requests: e.requests, failures: e.failures })
      return {
        method: e.method, name: e.name, requests: e.requests, failures: e.failures,
        medianMs: e.medianMs, p95Ms: e.percentiles['95'] ?? 0, p99Ms: e.percentiles['99'] ?? 0, meanMs: e.meanMs,
        minMs: e.minMs, maxMs: e.maxMs, avgContentBytes: e.avgContentBytes,
        currentRps: Math.max(0, e.requests - before.requests) / secs,
        currentFailuresPerSec: Math.max(0, e.failures - before.failures) / secs
      }
    })
  return { rows, counts }
}

export function streamTotals(run: LoadResult): StreamTotals | null {
  const s = llmStats(run)
  if (!s) return null
  const ttft = s.metrics.ttft.percentiles
  return {
    streamed: run.llm?.streamed ?? 0, completed: s.completed,
    ttftP50: ttft['50'] ?? null, ttftP95: ttft['95'] ?? null, ttftP99: ttft['99'] ?? null,
    itlP50: s.metrics.itl.percentiles['50'] ?? null,
    outputTokens: s.total_output_tokens, outputTokensPerSec: s.output_throughput, goodputPerSec: s.request_goodput
  }
}
