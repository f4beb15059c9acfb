// --threshold: pass/fail checks on a finished run, for CI (Locust has none; k6 exits 99 on failure).
import { decodeHistogram, percentileMs } from './histogram.js'
import { parseThreshold, type Threshold } from './parse.js'
import type { LoadResult } from './result.js'
import { llmStats } from './llm-stats.js'
import { percentileOf } from './distribution.js'

export interface ThresholdOutcome {
  threshold: Threshold
  /** The measured value (ms, ratio, per second or count); null when there is nothing to measure. */
  actual: number | null
  passed: boolean
}

function measure(result: LoadResult, t: Threshold): number | null {
  const a = result.aggregated
  switch (t.metric) {
    case 'percentile': {
      const p = t.percentile as number
      const known = a.percentiles[String(p)]
      if (a.requests === 0) return null
      if (known !== undefined) return known
      const encoded = result.histograms.Aggregated
      return encoded ? percentileMs(decodeHistogram(encoded), p) : null
    }
    case 'avg': return a.requests ? a.meanMs : null
    case 'min': return a.requests ? a.minMs : null
    case 'max': return a.requests ? a.maxMs : null
    case 'med': return a.requests ? a.medianMs : null
    case 'fail_ratio': return a.requests ? a.failures / a.requests : null
    case 'rps': return a.rps
    case 'failures': return a.failures
    case 'stream': return measureStream(result, t)
    case 'goodput': return llmStats(result)?.request_goodput ?? null
    case 'tokens_per_s': return llmStats(result)?.output_throughput ?? null
  }
}

/** ttft_p99, itl_avg, ...: ms, from the run's streaming distributions; null when nothing was measured. */
function measureStream(result: LoadResult, t: Threshold): number | null {
  const d = result.llm?.[t.stream!.metric]
  if (!d || d.count === 0) return null
  switch (t.stream!.stat) {
    case 'percentile': return percentileOf(d, t.percentile!, 1000)
    case 'avg': return d.sum / d.count / 1000
    case 'min': return d.min / 1000
    case 'max': return d.max / 1000
  }
}

function compare(actual: number, op: Threshold['op'], value: number): boolean {
  switch (op) {
    case '<': return actual < value
    case '<=': return actual <= value
    case '>': return actual > value
    case '>=': return actual >= value
    case '==': return actual === value
  }
}

/** Checks every threshold (given parsed or as text); a threshold on a run with no requests fails. */
export function evaluateThresholds(result: LoadResult, thresholds: (Threshold | string)[]): ThresholdOutcome[] {
  return thresholds.map((given) => {
    const threshold = typeof given === 'string' ? parseThreshold(given) : given
    const actual = measure(result, threshold)
    return { threshold, actual, passed: actual !== null && compare(actual, threshold.op, threshold.value) }
  })
}
