// One endpoint's running figures and their EndpointStats form. Shared by the Recorder (live) and by
// mergeResults (rebuilt from JSON), so both compute the table the same way.
import { locustPercentiles, newHistogram, type Histogram } from './histogram.js'
import type { EndpointStats } from './result.js'

export interface EndpointTotals {
  method: string
  name: string
  hist: Histogram
  requests: number
  failures: number
  bytes: number
  /** Exact sums (not from the histogram), as Locust computes its average. */
  sumUs: number
  minUs: number
  maxUs: number
}

export function newTotals(method: string, name: string): EndpointTotals {
  return { method, name, hist: newHistogram(), requests: 0, failures: 0, bytes: 0, sumUs: 0, minUs: Infinity, maxUs: 0 }
}

/** Microseconds kept to 3 decimals of a millisecond. */
export function usToMs(us: number): number {
  return Math.round(us) / 1000
}

export function toEndpointStats(t: EndpointTotals, durationSec: number): EndpointStats {
  const n = t.requests
  const secs = durationSec > 0 ? durationSec : 1
  // A histogram decoded from JSON (a merge) knows its maximum only to the bucket's top; the exact
  // maximum is kept beside it, so no percentile may exceed it.
  const maxMs = n ? usToMs(t.maxUs) : 0
  const percentiles = locustPercentiles(t.hist)
  for (const key in percentiles) if (percentiles[key]! > maxMs) percentiles[key] = maxMs
  return {
    method: t.method,
    name: t.name,
    requests: n,
    failures: t.failures,
    minMs: n ? usToMs(t.minUs) : 0,
    maxMs,
    meanMs: n ? usToMs(t.sumUs / n) : 0,
    medianMs: percentiles['50']!,
    avgContentBytes: n ? t.bytes / n : 0,
    rps: n / secs,
    failuresPerSec: t.failures / secs,
    percentiles
  }
}

/** Adds `from` into `into` exactly (histograms add, counts and sums add, min/max combine). */
export function addTotals(into: EndpointTotals, from: EndpointTotals): void {
  into.hist.add(from.hist)
  into.requests += from.requests
  into.failures += from.failures
  into.bytes += from.bytes
  into.sumUs += from.sumUs
  if (from.minUs < into.minUs) into.minUs = from.minUs
  if (from.maxUs > into.maxUs) into.maxUs = from.maxUs
}
