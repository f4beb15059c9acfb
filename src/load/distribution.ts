// One measured quantity of many requests (or events): its HDR histogram for percentiles, and exact
// count, sum, sum of squares, min and max for the mean and standard deviation, which an HDR histogram
// only approximates. Adding two is exact, so processes, shards and merges lose nothing.
import { decodeHistogram, encodeHistogram, newHistogram, type Histogram } from './histogram.js'

/** A Distribution as stored in a LoadResult (the histogram encoded like LoadResult.histograms). */
export interface DistributionResult {
  count: number
  sum: number
  sumSq: number
  min: number
  max: number
  histogram: string
}

export class Distribution {
  hist: Histogram = newHistogram()
  count = 0
  sum = 0
  sumSq = 0
  min = Infinity
  max = 0

  /** Records a value (microseconds, tokens, ...); rounded to a whole unit, negatives as 0. */
  record(value: number): void {
    const v = value > 0 ? Math.round(value) : 0
    this.hist.recordValue(v)
    this.count++
    this.sum += v
    this.sumSq += v * v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  add(other: Distribution): void {
    this.hist.add(other.hist)
    this.count += other.count
    this.sum += other.sum
    this.sumSq += other.sumSq
    if (other.min < this.min) this.min = other.min
    if (other.max > this.max) this.max = other.max
  }

  toResult(): DistributionResult {
    return { count: this.count, sum: this.sum, sumSq: this.sumSq, min: this.count ? this.min : 0, max: this.max, histogram: encodeHistogram(this.hist) }
  }

  static from(r: DistributionResult): Distribution {
    const d = new Distribution()
    if (r.count > 0) d.hist = decodeHistogram(r.histogram)
    d.count = r.count
    d.sum = r.sum
    d.sumSq = r.sumSq
    d.min = r.count ? r.min : Infinity
    d.max = r.max
    return d
  }
}

/** Mean, population standard deviation (numpy's default, as vLLM reports) and percentiles, in units / `scale`. */
export interface DistributionStats {
  count: number
  mean: number | null
  std: number | null
  min: number | null
  max: number | null
  /** "50", "90", "95", "99" -> value; the top of the HDR bucket, never above the exact maximum. */
  percentiles: Record<string, number | null>
}

export const STAT_PERCENTILES = [50, 90, 95, 99] as const

export function distributionStats(r: DistributionResult | undefined, scale = 1): DistributionStats {
  const percentiles: Record<string, number | null> = {}
  for (const p of STAT_PERCENTILES) percentiles[String(p)] = null
  if (!r || r.count === 0) return { count: 0, mean: null, std: null, min: null, max: null, percentiles }
  const mean = r.sum / r.count
  const variance = Math.max(0, r.sumSq / r.count - mean * mean)
  const hist = decodeHistogram(r.histogram)
  for (const p of STAT_PERCENTILES) percentiles[String(p)] = Math.min(hist.getValueAtPercentile(p), r.max) / scale
  return { count: r.count, mean: mean / scale, std: Math.sqrt(variance) / scale, min: r.min / scale, max: r.max / scale, percentiles }
}

/** The value at percentile p of a result, in units / scale; null when empty. */
export function percentileOf(r: DistributionResult | undefined, p: number, scale = 1): number | null {
  if (!r || r.count === 0) return null
  if (p >= 100) return r.max / scale
  return Math.min(decodeHistogram(r.histogram).getValueAtPercentile(p), r.max) / scale
}
