// HdrHistogram helpers. Values are microseconds; 3 significant digits (so 100.0 ms is kept to 0.1 ms,
// unlike Locust's two-digit rounding). The plain JS 32-bit build is used: measured faster than the WASM
// build for single recordValue calls (no JS<->WASM crossing) and it needs no explicit destroy().
import * as hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'
import { LOCUST_PERCENTILES } from './result.js'

export type { Histogram }

export function newHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 32, numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1, autoResize: true })
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h)
}

export function decodeHistogram(text: string): Histogram {
  const h = hdr.decodeFromCompressedBase64(text, 32, false)
  h.autoResize = true
  return h
}

/** Adds `from` into `into` (exact: bucket counts add). */
export function addHistogram(into: Histogram, from: Histogram): void {
  into.add(from)
}

/** The value at a percentile in ms, or null when empty. p100 is the exact max the histogram holds. */
export function percentileMs(h: Histogram, p: number): number | null {
  if (h.totalCount === 0) return null
  // HDR reports the top of a value's bucket; never above the largest value actually recorded.
  const us = p >= 100 ? h.maxValue : Math.min(h.getValueAtPercentile(p), h.maxValue)
  return us / 1000
}

/** Locust's percentile columns ("50" -> ms ...); 0 for an empty histogram, as Locust writes 0 then. */
export function locustPercentiles(h: Histogram): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of LOCUST_PERCENTILES) out[String(p)] = percentileMs(h, p) ?? 0
  return out
}
