// What a batch run measured: line durations overall and per node as exact HDR percentiles (microsecond
// histograms, as `floodgate load` keeps them), and the tokens LLM nodes reported. Histograms are kept in
// summary.json, so that a resumed run's figures cover the lines of every session.
import { addHistogram, decodeHistogram, encodeHistogram, newHistogram, percentileMs, type Histogram } from '../load/index.js'
import type { RunTrace } from '../executor/index.js'

export const PERCENTILES = [50, 90, 95, 99] as const

export interface Durations {
  count: number
  meanMs: number | null
  p50: number | null
  p90: number | null
  p95: number | null
  p99: number | null
  maxMs: number | null
}

export interface Tokens {
  input: number
  output: number
  total: number
}

/** The part of summary.json this module writes and reads back. */
export interface StatsJson {
  durationsMs: { line: Durations; nodes: Record<string, Durations> }
  tokens: Tokens | null
  histograms: { line: string; nodes: Record<string, string> }
}

function durations(h: Histogram): Durations {
  const empty = h.totalCount === 0
  const out: Durations = { count: h.totalCount, meanMs: empty ? null : round(h.mean / 1000), p50: null, p90: null, p95: null, p99: null, maxMs: null }
  for (const p of PERCENTILES) out[`p${p}`] = round(percentileMs(h, p))
  out.maxMs = round(percentileMs(h, 100))
  return out
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 1000) / 1000
}

function record(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)))
}

export class BatchStats {
  private readonly line = newHistogram()
  private readonly nodes = new Map<string, Histogram>()
  private tokens: Tokens | null = null

  /** Records a succeeded line: its duration, each node that ran, and its LLM nodes' token usage. */
  add(trace: RunTrace): void {
    record(this.line, trace.durationMs)
    for (const n of trace.nodes) {
      if (n.status !== 'ok') continue
      let h = this.nodes.get(n.node)
      if (!h) this.nodes.set(n.node, (h = newHistogram()))
      record(h, n.durationMs)
      const usage = n.llm
      if (usage && (usage.inputTokens !== undefined || usage.outputTokens !== undefined)) {
        const t = (this.tokens ??= { input: 0, output: 0, total: 0 })
        t.input += usage.inputTokens ?? 0
        t.output += usage.outputTokens ?? 0
        t.total = t.input + t.output
      }
    }
  }

  /** Adds an earlier session's figures (summary.json of the run resumed). */
  merge(previous: StatsJson): void {
    addHistogram(this.line, decodeHistogram(previous.histograms.line))
    for (const [name, text] of Object.entries(previous.histograms.nodes)) {
      let h = this.nodes.get(name)
      if (!h) this.nodes.set(name, (h = newHistogram()))
      addHistogram(h, decodeHistogram(text))
    }
    if (previous.tokens) {
      const t = (this.tokens ??= { input: 0, output: 0, total: 0 })
      t.input += previous.tokens.input
      t.output += previous.tokens.output
      t.total = t.input + t.output
    }
  }

  toJSON(): StatsJson {
    const nodes: Record<string, Durations> = {}
    const encoded: Record<string, string> = {}
    for (const [name, h] of this.nodes) {
      nodes[name] = durations(h)
      encoded[name] = encodeHistogram(h)
    }
    return { durationsMs: { line: durations(this.line), nodes }, tokens: this.tokens, histograms: { line: encodeHistogram(this.line), nodes: encoded } }
  }
}
