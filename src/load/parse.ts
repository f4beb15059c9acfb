// Parsers for the load command's value syntaxes. Each throws a UsageError naming the flag, so the CLI
// exits 2 with a message the user can act on; the library functions reuse them for the same checks.
import { UsageError } from '../errors.js'
import { MAX_TIMER_SECONDS, MAX_TIMER_TEXT } from '../timer-limit.js'

export type WaitSpec =
  | { kind: 'between'; min: number; max: number }
  | { kind: 'constant'; seconds: number }
  | { kind: 'throughput'; perSecond: number }
  | { kind: 'pacing'; seconds: number }
  | { kind: 'none' }

export type ThresholdMetric = 'percentile' | 'avg' | 'min' | 'max' | 'med' | 'fail_ratio' | 'rps' | 'failures' | 'stream' | 'goodput' | 'tokens_per_s'

/** The streaming metrics a threshold can name as METRIC_STAT (ttft_p99, itl_p50, e2e_avg, ...). */
export type StreamThresholdMetric = 'ttft' | 'itl' | 'tpot' | 'e2el' | 'ttfb'
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '=='

export interface Threshold {
  /** As the user wrote it, for the passed/failed lines. */
  text: string
  metric: ThresholdMetric
  /** For metric 'percentile' (and 'stream' with stat 'percentile'): 50, 95, 99.9 ... */
  percentile?: number
  /** For metric 'stream': which figure of the streamed responses, and which statistic of it. */
  stream?: { metric: StreamThresholdMetric; stat: 'percentile' | 'avg' | 'min' | 'max' }
  op: ThresholdOp
  /** Milliseconds for time metrics, a ratio for fail_ratio, per second for rps, a count for failures. */
  value: number
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)?/y
const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 }

/** "90" (seconds), "90s", "5m", "1h30m", "1.5s", "500ms" -> seconds, at most `max` (what a timer holds). Like Locust's --run-time, plus fractions. */
export function parseDuration(text: string, flag = '--run-time', max = MAX_TIMER_SECONDS): number {
  const source = String(text).trim()
  const bad = () =>
    new UsageError(`invalid ${flag} "${text}": expected a duration like 30s, 5m, 1h30m or 90 (seconds)`, { flag })
  if (source === '') throw bad()
  let total = 0
  DURATION_PART.lastIndex = 0
  while (DURATION_PART.lastIndex < source.length) {
    const m = DURATION_PART.exec(source)
    if (!m) throw bad()
    total += Number(m[1]) * UNIT_SECONDS[m[2] ?? 's']
  }
  if (!(total > 0) || !Number.isFinite(total)) throw bad()
  if (total > max) throw tooLong(flag, text)
  return total
}

function numbers(rest: string, count: number): number[] | undefined {
  const parts = rest.split(',').map((p) => p.trim())
  if (parts.length !== count || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return undefined
  return parts.map(Number)
}

/**
 * Locust's wait_time functions: "between:1,2", "constant:1", "throughput:2" (constant_throughput),
 * "pacing:3" (constant_pacing), "none". Locust's own names are accepted too.
 */
export function parseWait(text: string): WaitSpec {
  const source = String(text).trim()
  const bad = (why: string) => new UsageError(`invalid --wait "${text}": ${why}`, { flag: '--wait', reason: why })
  if (source === 'none' || source === '0') return { kind: 'none' }
  const colon = source.indexOf(':')
  if (colon < 0) throw bad('expected between:MIN,MAX, constant:S, throughput:R, pacing:S or none')
  const kind = source.slice(0, colon).trim()
  const rest = source.slice(colon + 1)
  const fits = (seconds: number, what: string) => {
    if (seconds > MAX_TIMER_SECONDS) throw bad(`${what} is longer than ${MAX_TIMER_TEXT}`)
  }
  switch (kind) {
    case 'between': {
      const n = numbers(rest, 2)
      if (!n) throw bad('between takes two numbers of seconds, MIN,MAX (e.g. between:1,2)')
      if (n[0] > n[1]) throw bad(`between's MIN (${n[0]}) is greater than its MAX (${n[1]})`)
      fits(n[1], `a wait of ${n[1]} s`)
      return { kind: 'between', min: n[0], max: n[1] }
    }
    case 'constant': {
      const n = numbers(rest, 1)
      if (!n) throw bad('constant takes one number of seconds (e.g. constant:1)')
      fits(n[0], `a wait of ${n[0]} s`)
      return { kind: 'constant', seconds: n[0] }
    }
    case 'throughput':
    case 'constant_throughput': {
      const n = numbers(rest, 1)
      if (!n || n[0] <= 0) throw bad('throughput takes a positive number of tasks per second per user (e.g. throughput:2)')
      fits(1 / n[0], `one task every ${Math.round(1 / n[0])} s`)
      return { kind: 'throughput', perSecond: n[0] }
    }
    case 'pacing':
    case 'constant_pacing': {
      const n = numbers(rest, 1)
      if (!n) throw bad('pacing takes one number of seconds (e.g. pacing:3)')
      fits(n[0], `a pacing of ${n[0]} s`)
      return { kind: 'pacing', seconds: n[0] }
    }
    default:
      throw bad(`unknown wait "${kind}": expected between, constant, throughput, pacing or none`)
  }
}

const THRESHOLD = /^\s*(p\d+(?:\.\d+)?|avg|min|max|med|fail_ratio|rps|failures|goodput|tokens_per_s|(?:ttft|itl|tpot|e2el?|ttfb)_(?:p\d+(?:\.\d+)?|avg|mean|med|median|min|max))\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/
const STREAM_THRESHOLD = /^(ttft|itl|tpot|e2el?|ttfb)_(.+)$/

/** "ttft_p99" -> its parts; the statistic's aliases (mean, med, median) folded. */
function streamThreshold(name: string): { metric: StreamThresholdMetric; stat: 'percentile' | 'avg' | 'min' | 'max'; percentile?: number } {
  const [, m, stat] = STREAM_THRESHOLD.exec(name)!
  const metric = (m === 'e2e' ? 'e2el' : m) as StreamThresholdMetric
  if (stat === 'avg' || stat === 'mean') return { metric, stat: 'avg' }
  if (stat === 'min' || stat === 'max') return { metric, stat }
  return { metric, stat: 'percentile', percentile: stat === 'med' || stat === 'median' ? 50 : Number(stat!.slice(1)) }
}

/** Who parses a threshold: the flag its errors name, and the stream figures that flag takes. */
export interface ThresholdFlag {
  flag: string
  streams: readonly string[]
}

const THRESHOLD_FLAG: ThresholdFlag = { flag: '--threshold', streams: ['ttft', 'itl', 'tpot', 'e2e', 'ttfb'] }

/**
 * "p95<2000", "p99<=3000", "avg<1500", "fail_ratio<0.01", "rps>=200", "failures==0"; streams:
 * "ttft_p99<800", "itl_p50<30", "e2e_avg<5000", "goodput>10" (req/s), "tokens_per_s>500". Times in ms ("2s" works too).
 * `by` names another flag that takes this grammar (capacity's --slo); it refuses what `streams` leaves out itself.
 */
export function parseThreshold(text: string, by: ThresholdFlag = THRESHOLD_FLAG): Threshold {
  const m = THRESHOLD.exec(String(text))
  const bad = (why: string) => new UsageError(`invalid ${by.flag} "${text}": ${why}`, { flag: by.flag })
  if (!m) {
    throw bad('expected METRIC OP VALUE, e.g. p95<2000, avg<1500, fail_ratio<0.01, rps>=200 ' +
      `(metrics: p50..p100, avg, min, max, med, fail_ratio, rps, failures; streams: ${by.streams.map((s) => s + '_').join(', ')} with p50..p100, avg, min, max, ` +
      'and goodput, tokens_per_s; operators: < <= > >= ==)')
  }
  const [, name, op, raw, unit] = m
  let value = Number(raw)
  const stream = STREAM_THRESHOLD.test(name) ? streamThreshold(name) : undefined
  const isTime = name.startsWith('p') || name === 'avg' || name === 'min' || name === 'max' || name === 'med' || stream !== undefined
  if (unit === 's' || unit === 'ms') {
    if (!isTime) throw bad(`"${unit}" is a time unit but ${name} is not a time`)
    if (unit === 's') value *= 1000
  }
  if (unit === '%') {
    if (name !== 'fail_ratio') throw bad('"%" applies to fail_ratio only')
    value /= 100
  }
  if (stream) {
    const p = stream.percentile
    if (p !== undefined && (p <= 0 || p > 100)) throw bad(`percentile ${p} is outside 0 < p <= 100`)
    return { text: String(text).trim(), metric: 'stream', stream: { metric: stream.metric, stat: stream.stat }, ...(p !== undefined ? { percentile: p } : {}), op: op as ThresholdOp, value }
  }
  if (name.startsWith('p')) {
    const percentile = Number(name.slice(1))
    if (percentile <= 0 || percentile > 100) throw bad(`percentile ${percentile} is outside 0 < p <= 100`)
    return { text: String(text).trim(), metric: 'percentile', percentile, op: op as ThresholdOp, value }
  }
  return { text: String(text).trim(), metric: name as ThresholdMetric, op: op as ThresholdOp, value }
}

/** "Name: value" -> [name, value]; the --header syntax of curl and Locust's --header. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':')
  const name = colon > 0 ? text.slice(0, colon).trim() : ''
  if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`invalid --header "${text}": expected "Name: value"`, { flag: '--header' })
  }
  return [name, text.slice(colon + 1).trim()]
}

/** A whole number >= min, for --users, --max-in-flight, --processes. */
export function parseCount(text: string | number, flag: string, min = 1): number {
  const n = typeof text === 'number' ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : NaN
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`invalid ${flag} "${text}": expected a whole number >= ${min}`, { flag })
  }
  return n
}

/** A number > 0 (the rates and seconds below check their timer's limit too). */
export function parsePositive(text: string | number, flag: string): number {
  const n = typeof text === 'number' ? text : /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new UsageError(`invalid ${flag} "${text}": expected a number > 0`, { flag })
  }
  return n
}

function tooLong(flag: string, text: string | number): UsageError {
  return new UsageError(`invalid ${flag} "${text}": longer than ${MAX_TIMER_TEXT}`, { flag })
}

/** Seconds > 0 that a timer waits, for --timeout. */
export function parseSeconds(text: string | number, flag: string): number {
  const n = parsePositive(text, flag)
  if (n > MAX_TIMER_SECONDS) throw tooLong(flag, text)
  return n
}

/** A rate > 0 per second whose gaps a timer waits, for --rate, --ramp-to and --spawn-rate. */
export function parseRate(text: string | number, flag: string): number {
  const n = parsePositive(text, flag)
  if (1 / n > MAX_TIMER_SECONDS) {
    const reason = `one every ${Math.round(1 / n)} s is longer than ${MAX_TIMER_TEXT}`
    throw new UsageError(`invalid ${flag} "${text}": ${reason}`, { flag, reason })
  }
  return n
}
