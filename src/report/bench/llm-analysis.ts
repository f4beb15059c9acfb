// The bench's streaming analysis: how much each variant adds to the time to first token and to the
// inter-token latency over the floor (the LLM alone: the first variant of kind `direct` whose responses
// streamed), median and p99, and a verdict. Pure and table-driven, like analysis.ts: figures in, sentences
// out; the limits are the table below, and every figure quoted comes from the results. See docs/bench.md.
import { llmStats, percentileOf } from '../../load/index.js'
import type { LoadResult } from '../../load/result.js'
import type { VariantRecord } from './data.js'
import { fmtCount, fmtMs, fmtPct } from './format.js'

export type LlmVerdictKind = 'floor' | 'no-floor' | 'stream-failures' | 'delays-first-token' | 'slows-tokens' | 'adds-tail' | 'transparent'

export interface StreamFigures {
  ttftMedianMs: number
  ttftP99Ms: number
  itlMedianMs: number
  itlP99Ms: number
  /** Output tokens per second over the run. */
  tokensPerSec: number
  /** Completed requests meeting every SLO, per second; null without SLOs. */
  goodput: number | null
  completed: number
  failed: number
  outputTokensSource: string
}

/** This variant's figures minus the floor's, ms. */
export interface AddedLatency {
  ttftMedianMs: number
  ttftP99Ms: number
  itlMedianMs: number
  itlP99Ms: number
}

export interface LlmFinding {
  kind: LlmVerdictKind
  text: string
}

export interface LlmVariantAnalysis {
  name: string
  /** The variant compared with; null when this one is the floor or none was measured. */
  floor: string | null
  figures: StreamFigures
  added: AddedLatency | null
  findings: LlmFinding[]
  verdict: LlmFinding
}

/**
 * What counts as adding latency: more than `ms` and more than `share` of the floor's own figure (a flow
 * in front of an LLM costs a little; these limits say when that little matters to a user).
 */
export const LLM_LIMITS = {
  ttftMedian: { ms: 10, share: 0.05 },
  itlMedian: { ms: 1, share: 0.1 },
  ttftP99: { ms: 50, share: 0.2 },
  itlP99: { ms: 10, share: 0.5 }
} as const

function figuresOf(result: LoadResult): StreamFigures | null {
  const s = llmStats(result)
  const llm = result.llm
  if (!s || !llm || llm.ttft.count === 0) return null
  return {
    ttftMedianMs: percentileOf(llm.ttft, 50, 1000)!,
    ttftP99Ms: percentileOf(llm.ttft, 99, 1000)!,
    itlMedianMs: percentileOf(llm.itl, 50, 1000) ?? 0,
    itlP99Ms: percentileOf(llm.itl, 99, 1000) ?? 0,
    tokensPerSec: s.output_throughput,
    goodput: s.request_goodput,
    completed: s.completed,
    failed: s.failed,
    outputTokensSource: s.output_tokens_source
  }
}

const over = (added: number, floor: number, limit: { ms: number; share: number }) => added > Math.max(limit.ms, floor * limit.share)

interface Context {
  name: string
  f: StreamFigures
  /** This variant is the floor itself. */
  isFloor: boolean
  floor: { name: string; f: StreamFigures } | null
  /** Set when there is a floor to compare with (and this is not it). */
  added: AddedLatency | null
}

const delaysFirstToken = (c: Context) => c.added !== null && over(c.added.ttftMedianMs, c.floor!.f.ttftMedianMs, LLM_LIMITS.ttftMedian)
const slowsTokens = (c: Context) => c.added !== null && over(c.added.itlMedianMs, c.floor!.f.itlMedianMs, LLM_LIMITS.itlMedian)
const addsTail = (c: Context) => c.added !== null &&
  (over(c.added.ttftP99Ms, c.floor!.f.ttftP99Ms, LLM_LIMITS.ttftP99) || over(c.added.itlP99Ms, c.floor!.f.itlP99Ms, LLM_LIMITS.itlP99))

const ms2 = (n: number) => fmtMs(n, 2)
const signed = (n: number) => `${n >= 0 ? '+' : '−'}${ms2(Math.abs(n))}`

/** "TTFT median 305 ms (floor 301 ms, +4.20 ms), p99 ...; ITL ...; 2,150 tokens/s (floor 2,180)" */
function comparison({ f, floor, added }: Context): string {
  if (!floor || !added) return ownFigures(f)
  const share = floor.f.tokensPerSec > 0 ? ` (${fmtPct((f.tokensPerSec / floor.f.tokensPerSec) * 100, 0)} of the floor's ${fmtCount(Math.round(floor.f.tokensPerSec))})` : ''
  return `TTFT median ${ms2(f.ttftMedianMs)} (${floor.name} ${ms2(floor.f.ttftMedianMs)}, ${signed(added.ttftMedianMs)}), ` +
    `p99 ${ms2(f.ttftP99Ms)} (${signed(added.ttftP99Ms)}); ITL median ${ms2(f.itlMedianMs)} (${ms2(floor.f.itlMedianMs)}, ${signed(added.itlMedianMs)}), ` +
    `p99 ${ms2(f.itlP99Ms)} (${signed(added.itlP99Ms)}); ${fmtCount(Math.round(f.tokensPerSec))} tokens/s${share}`
}

function ownFigures(f: StreamFigures): string {
  return `TTFT median ${ms2(f.ttftMedianMs)}, p99 ${ms2(f.ttftP99Ms)}; ITL median ${ms2(f.itlMedianMs)}, p99 ${ms2(f.itlP99Ms)}; ` +
    `${fmtCount(Math.round(f.tokensPerSec))} tokens/s`
}

/** In order of precedence: the first rule that applies is the verdict, all that apply are findings. */
const RULES: { kind: LlmVerdictKind; applies: (c: Context) => boolean; text: (c: Context) => string }[] = [
  {
    kind: 'floor',
    applies: (c) => c.isFloor,
    text: (c) => `floor: the LLM alone, the figures the other variants are compared with: ${ownFigures(c.f)}`
  },
  {
    kind: 'no-floor',
    applies: (c) => !c.isFloor && c.floor === null,
    text: (c) => `no floor: no variant measured the LLM alone (a variant of kind direct targeting it), so nothing to compare with: ${ownFigures(c.f)}`
  },
  {
    kind: 'stream-failures',
    applies: (c) => c.f.failed > 0,
    text: (c) => `stream failures: ${fmtCount(c.f.failed)} of ${fmtCount(c.f.completed + c.f.failed)} requests failed ` +
      `(${fmtPct((c.f.failed / (c.f.completed + c.f.failed)) * 100, 2)}); ${comparison(c)}`
  },
  {
    kind: 'delays-first-token',
    applies: delaysFirstToken,
    text: (c) => `delays the first token: the flow adds ${ms2(c.added!.ttftMedianMs)} to the median TTFT ` +
      `(${fmtPct((c.added!.ttftMedianMs / c.floor!.f.ttftMedianMs) * 100, 1)} of the LLM's own); ${comparison(c)}`
  },
  {
    kind: 'slows-tokens',
    applies: slowsTokens,
    text: (c) => `slows the tokens: the flow adds ${ms2(c.added!.itlMedianMs)} to the median gap between tokens ` +
      `(${fmtPct((c.added!.itlMedianMs / c.floor!.f.itlMedianMs) * 100, 1)} of the LLM's own); ${comparison(c)}`
  },
  {
    kind: 'adds-tail',
    applies: addsTail,
    text: (c) => `adds to the tail: the flow adds ${ms2(c.added!.ttftP99Ms)} to the p99 TTFT and ${ms2(c.added!.itlP99Ms)} ` +
      `to the p99 ITL; ${comparison(c)}`
  },
  {
    kind: 'transparent',
    applies: (c) => c.added !== null && !delaysFirstToken(c) && !slowsTokens(c) && !addsTail(c),
    text: (c) => `transparent: the flow adds ${ms2(c.added!.ttftMedianMs)} to the median TTFT and ${ms2(c.added!.itlMedianMs)} ` +
      `to the median ITL, within ${LLM_LIMITS.ttftMedian.ms} ms / ${LLM_LIMITS.itlMedian.ms} ms (or ${LLM_LIMITS.ttftMedian.share * 100}% / ` +
      `${LLM_LIMITS.itlMedian.share * 100}% of the LLM's own); ${comparison(c)}`
  }
]

/** The floor: the first variant of kind direct (straight at the LLM) whose responses streamed. */
function findFloor(records: VariantRecord[]): { name: string; f: StreamFigures } | null {
  for (const r of records) {
    if (r.meta.kind !== 'direct' || !r.result) continue
    const f = figuresOf(r.result)
    if (f) return { name: r.meta.name, f }
  }
  return null
}

/** One analysis per variant whose responses streamed, in the records' order. */
export function analyzeLlm(records: VariantRecord[]): LlmVariantAnalysis[] {
  const floor = findFloor(records)
  const out: LlmVariantAnalysis[] = []
  for (const r of records) {
    const f = r.result ? figuresOf(r.result) : null
    if (!f) continue
    const isFloor = floor !== null && floor.name === r.meta.name
    const against = isFloor ? null : floor
    const added = against ? {
      ttftMedianMs: f.ttftMedianMs - against.f.ttftMedianMs,
      ttftP99Ms: f.ttftP99Ms - against.f.ttftP99Ms,
      itlMedianMs: f.itlMedianMs - against.f.itlMedianMs,
      itlP99Ms: f.itlP99Ms - against.f.itlP99Ms
    } : null
    const ctx: Context = { name: r.meta.name, f, isFloor, floor: against, added }
    const findings = RULES.filter((rule) => rule.applies(ctx)).map((rule) => ({ kind: rule.kind, text: rule.text(ctx) }))
    out.push({ name: r.meta.name, floor: against?.name ?? null, figures: f, added, findings, verdict: findings[0]! })
  }
  return out
}
