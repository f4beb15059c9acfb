// Streaming figures of several generators (processes, shards) merged exactly: distributions add their
// histograms and sums, counts add; per second, window histograms add. Goodput needs the same SLOs on
// every part; otherwise the merged result has none (and `floodgate merge` says why).
import { Distribution, type DistributionResult } from './distribution.js'
import { decodeHistogram, encodeHistogram, newHistogram, percentileMs, type Histogram } from './histogram.js'
import type { HistoryLlm, HistoryPoint, LlmResult, LoadResult } from './result.js'

const DISTRIBUTIONS = ['ttfb', 'ttft', 'itl', 'tpot', 'e2el', 'outputTokensPerRequest', 'requestTokensPerSec'] as const
const COUNTS = ['streamed', 'completed', 'good', 'usageResponses', 'outputTokens', 'inputTokens', 'inputResponses'] as const

function addAll(parts: DistributionResult[]): DistributionResult {
  const total = new Distribution()
  for (const p of parts) total.add(Distribution.from(p))
  return total.toResult()
}

/** True when every part measured goodput against the same SLOs. */
export function sameSlos(parts: LlmResult[]): boolean {
  const first = JSON.stringify(parts[0]?.slos ?? [])
  return parts.every((p) => JSON.stringify(p.slos) === first)
}

export function mergeLlm(results: LoadResult[]): LlmResult | undefined {
  const parts = results.map((r) => r.llm).filter((l): l is LlmResult => l !== undefined)
  if (parts.length === 0) return undefined
  const merged = { slos: parts[0]!.slos } as LlmResult
  for (const key of COUNTS) merged[key] = parts.reduce((sum, p) => sum + p[key], 0)
  for (const key of DISTRIBUTIONS) merged[key] = addAll(parts.map((p) => p[key]))
  if (!sameSlos(parts)) {
    merged.slos = []
    merged.good = 0
  }
  return merged
}

function windowHistogram(parts: HistoryLlm[], pick: (p: HistoryLlm) => string | undefined): Histogram | null {
  const h = newHistogram()
  let any = false
  for (const p of parts) {
    const encoded = pick(p)
    if (encoded) {
      h.add(decodeHistogram(encoded))
      any = true
    }
  }
  return any ? h : null
}

/** Without window histograms (hand-made results), the worst part's percentile: an upper bound. */
function worst(parts: HistoryLlm[], pick: (p: HistoryLlm) => number | null): number | null {
  const values = parts.map(pick).filter((v): v is number => v !== null)
  return values.length ? Math.max(...values) : null
}

/** One second's streaming figures from several processes' points for that second. */
export function combineLlmWindows(windows: (HistoryPoint | undefined)[]): HistoryLlm | undefined {
  const parts = windows.map((w) => w?.llm).filter((l): l is HistoryLlm => l !== undefined)
  if (parts.length === 0) return undefined
  const ttft = windowHistogram(parts, (p) => p.ttftHistogram)
  const itl = windowHistogram(parts, (p) => p.itlHistogram)
  const point: HistoryLlm = {
    tokens: parts.reduce((sum, p) => sum + p.tokens, 0),
    tokensPerSec: parts.reduce((sum, p) => sum + p.tokensPerSec, 0),
    ttftP50: ttft ? percentileMs(ttft, 50) : worst(parts, (p) => p.ttftP50),
    ttftP95: ttft ? percentileMs(ttft, 95) : worst(parts, (p) => p.ttftP95),
    ttftP99: ttft ? percentileMs(ttft, 99) : worst(parts, (p) => p.ttftP99),
    itlP50: itl ? percentileMs(itl, 50) : worst(parts, (p) => p.itlP50),
    itlP99: itl ? percentileMs(itl, 99) : worst(parts, (p) => p.itlP99)
  }
  if (ttft) point.ttftHistogram = encodeHistogram(ttft)
  if (itl) point.itlHistogram = encodeHistogram(itl)
  return point
}
