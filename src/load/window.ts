// A run cut to some of its whole one-second history windows, as a LoadResult of its own: how a capacity
// step leaves its ramp out of its statistics. Percentiles are exact (the windows' HDR histograms add);
// mean, min and max come from the same histograms (3 significant digits), since exact sums are kept for
// the whole run only. What the history does not keep per second is not invented: per-status counts and
// exceptions are left empty, drops at 0, and failures other than 503 take the whole run's kind only when
// it had one kind. Streams keep per second their TTFT and ITL histograms, tokens, completed and good
// requests: those are sliced exactly; TTFB, TPOT and E2E are kept for the whole run only, so the slice
// has none of them (a threshold on them measures nothing).
import { decodeHistogram, encodeHistogram, newHistogram } from './histogram.js'
import { newTotals, toEndpointStats } from './stats.js'
import { CPU_WARN_PERCENT } from './generator.js'
import type { ErrorEntry, HistoryPoint, LoadResult } from './result.js'
import type { DistributionResult } from './distribution.js'
import type { LlmResult } from './llm-result.js'

/** A distribution from HDR histograms alone: count, sum and extremes as the histogram has them (3 significant digits). */
function fromHistograms(encoded: (string | undefined)[]): DistributionResult {
  const h = newHistogram()
  for (const e of encoded) if (e) h.add(decodeHistogram(e))
  const count = h.totalCount
  const mean = count ? h.mean : 0
  return {
    count, sum: mean * count, sumSq: count ? (h.stdDeviation ** 2 + mean ** 2) * count : 0,
    min: count ? h.minNonZeroValue : 0, max: count ? h.maxValue : 0, histogram: encodeHistogram(h)
  }
}

function sliceLlm(llm: LlmResult | undefined, windows: HistoryPoint[]): LlmResult | undefined {
  if (!llm) return undefined
  const parts = windows.map((p) => p.llm).filter((l) => l !== undefined)
  const sum = (pick: (l: NonNullable<HistoryPoint['llm']>) => number | undefined) => parts.reduce((n, l) => n + (pick(l) ?? 0), 0)
  const none = fromHistograms([])
  const completed = sum((l) => l.completed)
  return {
    ...llm,
    streamed: completed, completed, good: sum((l) => l.good), usageResponses: 0, outputTokens: sum((l) => l.tokens), inputTokens: 0, inputResponses: 0,
    ttfb: none, ttft: fromHistograms(parts.map((l) => l.ttftHistogram)), itl: fromHistograms(parts.map((l) => l.itlHistogram)),
    tpot: none, e2el: none, outputTokensPerRequest: none, requestTokensPerSec: none
  }
}

/** The windows ending after `fromT` and at most at `toT` (epoch seconds; 50 ms of timer slack). */
export function windowsBetween(result: LoadResult, fromT: number, toT: number): HistoryPoint[] {
  return result.history.filter((p) => p.t > fromT && p.t <= toT + 0.05)
}

function sliceErrors(result: LoadResult, windows: HistoryPoint[], before: HistoryPoint | undefined): ErrorEntry[] {
  const last = windows.at(-1)
  const refused = last?.totalRefused === undefined ? 0 : last.totalRefused - (before?.totalRefused ?? 0)
  const failures = windows.reduce((n, p) => n + p.failures, 0)
  const first = result.errors[0]
  const out: ErrorEntry[] = []
  const e503 = result.errors.find((e) => e.status === 503)
  if (refused > 0) out.push({ ...(e503 ?? { method: first?.method ?? '', name: first?.name ?? '', kind: 'http', error: "HTTPError('503 Server Error')", status: 503 }), occurrences: refused })
  const others = result.errors.filter((e) => e.status !== 503)
  const rest = failures - refused
  if (rest > 0) {
    out.push(others.length === 1
      ? { ...others[0]!, occurrences: rest }
      : { method: first?.method ?? '', name: first?.name ?? '', kind: 'other', error: `failures of ${others.length} kinds (the whole run's errors name them)`, occurrences: rest })
  }
  return out
}

/**
 * The part of `result` made of its history windows ending after `fromT` and by `toT`: the windows
 * (t - 1, t] of whole seconds. The slice starts at `fromT` with the users the run had then.
 */
export function resultOfWindows(result: LoadResult, fromT: number, toT: number): LoadResult {
  const windows = windowsBetween(result, fromT, toT)
  const before = result.history.filter((p) => p.t <= fromT).at(-1)
  const endT = windows.at(-1)?.t ?? fromT
  const durationSec = Math.max(0.001, endT - fromT)
  const totals = newTotals('', 'Aggregated')
  for (const p of windows) {
    totals.requests += p.requests
    totals.failures += p.failures
    if (p.histogram) totals.hist.add(decodeHistogram(p.histogram))
  }
  const h = totals.hist
  if (h.totalCount > 0) {
    totals.minUs = h.minNonZeroValue
    totals.maxUs = h.maxValue
    totals.sumUs = h.mean * totals.requests
  }
  const aggregated = toEndpointStats(totals, durationSec)
  const histograms: Record<string, string> = { Aggregated: encodeHistogram(h.totalCount ? h : newHistogram()) }
  const single = result.endpoints.length === 1 ? result.endpoints[0]! : null
  if (single) histograms[`${single.method} ${single.name}`] = histograms.Aggregated!
  const cpu = windows.map((p) => p.cpuPercent).filter((c): c is number => c !== undefined)
  let above = 0
  let saturated = false
  for (const c of cpu) {
    above = c > CPU_WARN_PERCENT ? above + 1 : 0
    if (above >= 2) saturated = true
  }
  return {
    ...result,
    config: { ...result.config, runTimeSec: durationSec },
    startedAt: fromT * 1000,
    endedAt: endT * 1000,
    durationSec,
    usersAtStart: before?.users ?? windows[0]?.users ?? 0,
    endpoints: single ? [{ ...aggregated, method: single.method, name: single.name }] : [],
    aggregated,
    statusCounts: {},
    history: windows,
    errors: sliceErrors(result, windows, before),
    exceptions: [],
    dropped: 0,
    abandoned: 0,
    generator: {
      processes: result.generator.processes,
      cpuPercentAvg: cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0,
      cpuPercentMax: cpu.length ? Math.max(...cpu) : 0,
      rssMaxBytes: Math.max(0, ...windows.map((p) => p.rssBytes ?? 0)),
      saturated
    },
    histograms,
    llm: sliceLlm(result.llm, windows)
  }
}
