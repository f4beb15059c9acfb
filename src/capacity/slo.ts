// The SLOs of a capacity search: `floodgate load`'s thresholds (same parser, same evaluation), and how
// far a step's figure is from each bound (the margin the search interpolates).
import { UsageError } from '../errors.js'
import { parseThreshold, type Threshold, type ThresholdOutcome } from '../load/index.js'

const TIME_METRICS = new Set<Threshold['metric']>(['percentile', 'avg', 'med', 'max', 'min'])

/** Stream figures the load generator keeps per second, so that a step's steady part has them (load/window.ts). */
const PER_SECOND_STREAM = new Set(['ttft', 'itl'])

/** One --slo: a threshold of `floodgate load`, the message naming --slo. */
export function parseSlo(text: string): Threshold {
  const t = parseThreshold(text, { flag: '--slo', streams: [...PER_SECOND_STREAM] })
  if (t.metric === 'stream' && !PER_SECOND_STREAM.has(t.stream!.metric)) {
    throw new UsageError(`invalid --slo "${text}": a step is judged on its steady seconds, and ${t.stream!.metric === 'e2el' ? 'e2e' : t.stream!.metric} is kept ` +
      'for a whole run only; SLOs on streams: ttft_ and itl_ (p50..p100, avg, min, max), goodput, tokens_per_s', { flag: '--slo' })
  }
  return t
}

/** An SLO on response time (ms) that an upper bound limits: p99<1500, avg<=800, ... */
export function isLatencyBound(t: Threshold): boolean {
  return TIME_METRICS.has(t.metric) && (t.op === '<' || t.op === '<=')
}

/** The tightest response-time bound among the SLOs, ms; null when none limits response time. */
export function latencyBoundMs(slos: Threshold[]): number | null {
  const bounds = slos.filter(isLatencyBound).map((t) => t.value)
  return bounds.length ? Math.min(...bounds) : null
}

/**
 * How far a measured figure is past its bound: negative inside, 0 at the bound, 1 one "unit" past it.
 * The unit is the bound itself, except for response times above the service time, where it is the
 * headroom the SLO leaves over the service time (p99<1100 over a 1,000 ms service: 100 ms), since
 * that is the part load can use up. Infinity when nothing was measured.
 */
export function margin(outcome: ThresholdOutcome, serviceMs: number | null): number {
  const { threshold: t, actual, passed } = outcome
  if (actual === null) return Infinity
  const headroom = isLatencyBound(t) && serviceMs !== null && t.value > serviceMs ? t.value - serviceMs : Math.abs(t.value) || 1
  let m: number
  switch (t.op) {
    case '<':
    case '<=':
      m = (actual - t.value) / headroom
      break
    case '>':
    case '>=':
      m = (t.value - actual) / headroom
      break
    case '==':
      m = Math.abs(actual - t.value) / headroom
  }
  // The sign follows the verdict at the bound itself (p99<1500 measured 1500 fails).
  if (passed && m >= 0) return -1e-9
  if (!passed && m <= 0) return 1e-9
  return m
}

/** The worst SLO of a step: its margin and which one (the SLO a failing step broke). */
export function worstSlo(outcomes: ThresholdOutcome[], serviceMs: number | null): { margin: number; worst: ThresholdOutcome | null } {
  let worst: ThresholdOutcome | null = null
  let max = -Infinity
  for (const o of outcomes) {
    const m = margin(o, serviceMs)
    if (m > max) {
      max = m
      worst = o
    }
  }
  return { margin: worst === null ? -Infinity : max, worst }
}
