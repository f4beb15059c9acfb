// --slo: per-request latency targets for goodput, vLLM's definition (DistServe): a request is good when
// it succeeded and every SLO holds, each compared inclusively (value <= target, whether written < or <=);
// goodput = good requests / duration. vLLM's keys are ttft, tpot and e2el; itl (here: the request's
// longest gap between two content events) is Floodgate's addition. A one-token reply has TPOT 0.
import { UsageError } from '../errors.js'

export type SloMetric = 'ttft' | 'itl' | 'tpot' | 'e2e'

export const SLO_METRICS: readonly SloMetric[] = ['ttft', 'itl', 'tpot', 'e2e']

export interface Slo {
  /** As the user wrote it. */
  text: string
  metric: SloMetric
  /** Microseconds. */
  limitUs: number
}

/** One finished request's figures the SLOs are checked against, microseconds. */
export interface RequestTiming {
  ttftUs: number
  /** Longest gap between two content events (0 with one event). */
  maxGapUs: number
  /** 0 when the reply had one token (vLLM). */
  tpotUs: number
  e2eUs: number
}

const SLO = /^\s*([a-z][a-z0-9_]*)\s*(<=|<|:)\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/

/** "ttft<500", "itl<=50", "e2e<5s", "tpot:40" (vLLM's KEY:VALUE) -> an Slo; milliseconds unless "s". */
export function parseSlo(text: string): Slo {
  const m = SLO.exec(String(text))
  if (!m) {
    throw new UsageError(`invalid --slo "${text}": expected METRIC<MILLISECONDS, e.g. ttft<500 or e2e<5000 (metrics: ${SLO_METRICS.join(', ')})`, { flag: '--slo' })
  }
  const name = m[1] === 'e2el' ? 'e2e' : m[1]
  if (!SLO_METRICS.includes(name as SloMetric)) {
    throw new UsageError(`invalid --slo "${text}": unknown metric "${m[1]}" (metrics: ${SLO_METRICS.join(', ')})`, { flag: '--slo' })
  }
  const ms = Number(m[3]) * (m[4] === 's' ? 1000 : 1)
  return { text: String(text).trim(), metric: name as SloMetric, limitUs: ms * 1000 }
}

function valueOf(metric: SloMetric, t: RequestTiming): number {
  switch (metric) {
    case 'ttft': return t.ttftUs
    case 'itl': return t.maxGapUs
    case 'tpot': return t.tpotUs
    case 'e2e': return t.e2eUs
  }
}

/** True when the request meets every SLO (inclusive, as vLLM compares). */
export function meetsSlos(slos: readonly Slo[], t: RequestTiming): boolean {
  for (const slo of slos) if (valueOf(slo.metric, t) > slo.limitUs) return false
  return true
}
