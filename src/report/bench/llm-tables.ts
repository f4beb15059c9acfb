// The bench report's streaming table (one row per variant whose responses streamed), shared by report.md,
// report.html and the terminal, like bench-tables.ts.
import type { LlmVariantAnalysis } from './llm-analysis.js'
import type { Table } from './tables.js'
import { cell, fmtMs } from './format.js'

const delta = (v: number | undefined) => (v === undefined ? '—' : `${v >= 0 ? '+' : '−'}${fmtMs(Math.abs(v), 2)}`)

export function llmTable(analyses: LlmVariantAnalysis[]): Table {
  return {
    header: ['Variant', 'TTFT median', 'added', 'TTFT p99', 'added', 'ITL median', 'added', 'ITL p99', 'added',
      'Output tokens/s', 'Goodput req/s', 'Failed', 'Verdict'],
    rows: analyses.map((a) => [
      a.name,
      fmtMs(a.figures.ttftMedianMs, 2), delta(a.added?.ttftMedianMs),
      fmtMs(a.figures.ttftP99Ms, 2), delta(a.added?.ttftP99Ms),
      fmtMs(a.figures.itlMedianMs, 2), delta(a.added?.itlMedianMs),
      fmtMs(a.figures.itlP99Ms, 2), delta(a.added?.itlP99Ms),
      cell(Math.round(a.figures.tokensPerSec)), a.figures.goodput === null ? '—' : a.figures.goodput.toFixed(2),
      cell(a.figures.failed), a.verdict.kind
    ])
  }
}
