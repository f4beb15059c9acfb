// Merges LoadResults of processes (or machines) that ran together into one, exactly: HDR histograms
// are added (never percentiles averaged), counts and sums add, history points are aligned by their
// epoch second and their window histograms added.
import { UsageError } from '../errors.js'
import { decodeHistogram, encodeHistogram, newHistogram, percentileMs, type Histogram } from './histogram.js'
import { addTotals, newTotals, toEndpointStats, usToMs, type EndpointTotals } from './stats.js'
import { LOAD_RESULT_VERSION, type EndpointStats, type ErrorEntry, type ExceptionEntry, type HistoryPoint, type LoadConfig, type LoadResult } from './result.js'
import { combineLlmWindows, mergeLlm } from './llm-merge.js'
import { withLlmStats } from './llm-stats.js'

function totalsOf(stats: EndpointStats, encoded: string | undefined): EndpointTotals {
  const t = newTotals(stats.method, stats.name)
  if (encoded) t.hist = decodeHistogram(encoded)
  t.requests = stats.requests
  t.failures = stats.failures
  t.bytes = Math.round(stats.avgContentBytes * stats.requests)
  t.sumUs = stats.meanMs * 1000 * stats.requests
  t.minUs = stats.requests ? stats.minMs * 1000 : Infinity
  t.maxUs = stats.requests ? stats.maxMs * 1000 : 0
  return t
}

function sumOf(results: LoadResult[], pick: (r: LoadResult) => number | undefined): number | undefined {
  const values = results.map(pick).filter((v): v is number => v !== undefined)
  return values.length ? values.reduce((a, b) => a + b, 0) : undefined
}

function mergeConfig(results: LoadResult[]): LoadConfig {
  const config: LoadConfig = { ...results[0].config }
  config.users = results.reduce((a, r) => a + r.config.users, 0)
  config.spawnRate = results.reduce((a, r) => a + r.config.spawnRate, 0)
  config.processes = results.reduce((a, r) => a + r.config.processes, 0)
  const rate = sumOf(results, (r) => r.config.rate)
  const rampTo = sumOf(results, (r) => r.config.rampTo)
  const maxInFlight = sumOf(results, (r) => r.config.maxInFlight)
  if (rate !== undefined) config.rate = rate
  if (rampTo !== undefined) config.rampTo = rampTo
  if (maxInFlight !== undefined) config.maxInFlight = maxInFlight
  delete config.shard
  return config
}

/**
 * One history point from several processes' points for the same second: window figures add (from the
 * processes that have a point at t), running totals come from each process's latest point.
 * `cumulative`, when given, is the running sum of merged windows (for the exact total median).
 */
export function combinePoints(t: number, windows: (HistoryPoint | undefined)[], latest: (HistoryPoint | undefined)[],
  cumulative?: Histogram): HistoryPoint {
  const point: HistoryPoint = {
    t, users: 0, requests: 0, failures: 0, rps: 0, failuresPerSec: 0, p50: null, p95: null, p99: null,
    inFlight: 0, totalRequests: 0, totalFailures: 0
  }
  const window = newHistogram()
  let exact = true
  let cpu: number | undefined
  let rss: number | undefined
  for (const p of windows) {
    if (!p) continue
    point.requests += p.requests
    point.failures += p.failures
    point.rps += p.rps
    point.failuresPerSec += p.failuresPerSec
    point.inFlight += p.inFlight
    if (p.histogram) window.add(decodeHistogram(p.histogram))
    else if (p.requests > 0) exact = false
    if (p.cpuPercent !== undefined) cpu = (cpu ?? 0) + p.cpuPercent
    if (p.rssBytes !== undefined) rss = (rss ?? 0) + p.rssBytes
  }
  for (const l of latest) {
    if (!l) continue
    point.users += l.users
    point.totalRequests += l.totalRequests
    point.totalFailures += l.totalFailures
    if (l.totalRefused !== undefined) point.totalRefused = (point.totalRefused ?? 0) + l.totalRefused
  }
  cumulative?.add(window)
  setWindowPercentiles(point, window, exact, windows)
  setRunningTotals(point, exact ? cumulative : undefined, latest)
  if (cpu !== undefined) point.cpuPercent = cpu
  if (rss !== undefined) point.rssBytes = rss
  const llm = combineLlmWindows(windows)
  if (llm) point.llm = llm
  return point
}

function mergeHistory(results: LoadResult[]): HistoryPoint[] {
  const seconds = [...new Set(results.flatMap((r) => r.history.map((p) => p.t)))].sort((a, b) => a - b)
  const byT = results.map((r) => new Map(r.history.map((p) => [p.t, p])))
  const latest: (HistoryPoint | undefined)[] = results.map(() => undefined)
  const cumulative = newHistogram()
  return seconds.map((t) => {
    const windows = byT.map((m) => m.get(t))
    windows.forEach((p, i) => { if (p) latest[i] = p })
    return combinePoints(t, windows, latest, cumulative)
  })
}

function setWindowPercentiles(point: HistoryPoint, window: Histogram, exact: boolean, parts: (HistoryPoint | undefined)[]): void {
  if (exact) {
    point.p50 = percentileMs(window, 50)
    point.p95 = percentileMs(window, 95)
    point.p99 = percentileMs(window, 99)
    point.histogram = encodeHistogram(window)
    return
  }
  // Results without window histograms: the worst part's percentile is an upper bound, not an exact merge.
  const worst = (pick: (p: HistoryPoint) => number | null) => {
    const v = parts.map((p) => (p ? pick(p) : null)).filter((x): x is number => x !== null)
    return v.length ? Math.max(...v) : null
  }
  point.p50 = worst((p) => p.p50)
  point.p95 = worst((p) => p.p95)
  point.p99 = worst((p) => p.p99)
}

function setRunningTotals(point: HistoryPoint, cumulative: Histogram | undefined, latest: (HistoryPoint | undefined)[]): void {
  const known = latest.filter((p): p is HistoryPoint => p !== undefined && p.totalRequests > 0)
  const n = known.reduce((a, p) => a + p.totalRequests, 0)
  if (cumulative) point.totalMedianMs = percentileMs(cumulative, 50) ?? 0
  if (n === 0) return
  point.totalAvgMs = usToMs((known.reduce((a, p) => a + (p.totalAvgMs ?? 0) * p.totalRequests, 0) / n) * 1000)
  point.totalMinMs = Math.min(...known.map((p) => p.totalMinMs ?? Infinity))
  point.totalMaxMs = Math.max(...known.map((p) => p.totalMaxMs ?? 0))
  point.totalAvgContentBytes = known.reduce((a, p) => a + (p.totalAvgContentBytes ?? 0) * p.totalRequests, 0) / n
}

function mergeErrors(results: LoadResult[]): ErrorEntry[] {
  const map = new Map<string, ErrorEntry>()
  for (const e of results.flatMap((r) => r.errors)) {
    const key = `${e.method}\n${e.name}\n${e.error}`
    const found = map.get(key)
    if (found) found.occurrences += e.occurrences
    else map.set(key, { ...e })
  }
  return [...map.values()].sort((a, b) => b.occurrences - a.occurrences)
}

function mergeExceptions(results: LoadResult[]): ExceptionEntry[] {
  const map = new Map<string, ExceptionEntry>()
  for (const e of results.flatMap((r) => r.exceptions)) {
    const key = `${e.message}\n${e.traceback}`
    const found = map.get(key)
    if (found) found.count += e.count
    else map.set(key, { ...e })
  }
  return [...map.values()].sort((a, b) => b.count - a.count)
}

export function mergeResults(results: LoadResult[]): LoadResult {
  if (results.length === 0) throw new UsageError('mergeResults: no results to merge')
  const startedAt = Math.min(...results.map((r) => r.startedAt))
  const endedAt = Math.max(...results.map((r) => r.endedAt))
  const durationSec = Math.max(...results.map((r) => r.startedAt + r.durationSec * 1000)) / 1000 - startedAt / 1000

  const endpoints = new Map<string, EndpointTotals>()
  for (const r of results) {
    for (const e of r.endpoints) {
      const key = `${e.method} ${e.name}`
      const t = totalsOf(e, r.histograms[key])
      const into = endpoints.get(key)
      if (into) addTotals(into, t)
      else endpoints.set(key, t)
    }
  }
  const aggregated = newTotals('', 'Aggregated')
  for (const r of results) addTotals(aggregated, totalsOf(r.aggregated, r.histograms.Aggregated))

  const histograms: Record<string, string> = {}
  for (const [key, t] of endpoints) histograms[key] = encodeHistogram(t.hist)
  histograms.Aggregated = encodeHistogram(aggregated.hist)

  const statusCounts: Record<string, number> = {}
  for (const r of results) {
    for (const [k, v] of Object.entries(r.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v
  }
  const history = mergeHistory(results)
  const cpuMax = Math.max(0, ...history.map((p) => p.cpuPercent ?? 0))
  const llm = mergeLlm(results)
  const cpuSec = sumOf(results, (r) => r.generator.cpuSec)
  return withLlmStats({
    version: LOAD_RESULT_VERSION,
    tool: 'floodgate',
    config: mergeConfig(results),
    startedAt,
    endedAt,
    durationSec,
    interrupted: results.some((r) => r.interrupted),
    endpoints: [...endpoints.values()].map((t) => toEndpointStats(t, durationSec)),
    aggregated: toEndpointStats(aggregated, durationSec),
    statusCounts,
    history,
    errors: mergeErrors(results),
    exceptions: mergeExceptions(results),
    dropped: results.reduce((a, r) => a + r.dropped, 0),
    abandoned: results.reduce((a, r) => a + (r.abandoned ?? 0), 0),
    generator: {
      processes: results.reduce((a, r) => a + r.generator.processes, 0),
      cpuPercentAvg: results.reduce((a, r) => a + r.generator.cpuPercentAvg, 0),
      cpuPercentMax: cpuMax || Math.max(...results.map((r) => r.generator.cpuPercentMax)),
      rssMaxBytes: results.reduce((a, r) => a + r.generator.rssMaxBytes, 0),
      saturated: results.some((r) => r.generator.saturated),
      ...(cpuSec !== undefined ? { cpuSec } : {})
    },
    histograms,
    ...(llm ? { llm } : {})
  })
}
