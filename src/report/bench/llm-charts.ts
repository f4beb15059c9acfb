// The bench report's streaming charts: every streamed variant's median TTFT and output tokens/s side by
// side, then per variant its TTFT percentiles and tokens/s over time (llm-charts.ts, titled and named).
import type { HistoryLlm } from '../../load/result.js'
import type { VariantRecord } from './data.js'
import type { NamedChart } from './charts.js'
import { lineChart } from '../load/charts.js'
import { tokensChart, ttftChart } from '../load/llm-charts.js'

const streamed = (records: VariantRecord[]) => records.filter((r) => r.result?.llm && r.result.llm.streamed > 0 && r.result.history.length)

function comparison(records: VariantRecord[], id: string, title: string, yName: string, pick: (l: HistoryLlm) => number | null): NamedChart | null {
  const runs = streamed(records)
  if (runs.length === 0) return null
  const second = (t: number, r: VariantRecord) => Math.round(t - r.result!.startedAt / 1000)
  const xs = [...new Set(runs.flatMap((r) => r.result!.history.map((h) => second(h.t, r))))].sort((a, b) => a - b)
  const series = runs.map((r) => {
    const byT = new Map(r.result!.history.map((h) => [second(h.t, r), h.llm ? pick(h.llm) : null]))
    return { name: r.meta.name, values: xs.map((t) => byT.get(t) ?? null) }
  })
  return { id, title, option: lineChart(xs, series, yName) }
}

/** The streaming charts of a bench, in reading order; none when no variant streamed. */
export function llmBenchCharts(records: VariantRecord[]): NamedChart[] {
  const charts = [
    comparison(records, 'comparison-ttft', 'Median time to first token per second (ms), every streamed variant', 'ms', (l) => l.ttftP50),
    comparison(records, 'comparison-tokens', 'Output tokens per second, every streamed variant', 'tokens/s', (l) => l.tokensPerSec)
  ].filter((c): c is NamedChart => c !== null)
  for (const r of streamed(records)) {
    const name = r.meta.name
    charts.push({ ...ttftChart(r.result!), id: `${name}-ttft`, title: `${name}: time to first token per second (ms)` })
    charts.push({ ...tokensChart(r.result!), id: `${name}-tokens`, title: `${name}: output tokens per second` })
  }
  return charts
}
