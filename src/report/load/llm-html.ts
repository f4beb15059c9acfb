// The streaming section of a load run's HTML page: the per-metric table and the totals, from llmStats.
import { llmStats } from '../../load/index.js'
import type { LoadResult } from '../../load/result.js'
import { htmlTable, type PageSection } from '../page.js'

const r = (n: number | null, digits = 3) => (n === null ? '-' : String(Math.round(n * 10 ** digits) / 10 ** digits))

const ROWS = [['TTFT', 'ttft'], ['TPOT', 'tpot'], ['ITL', 'itl'], ['E2E (to the last content event)', 'e2el'], ['TTFB (every response)', 'ttfb']] as const

export function llmSection(result: LoadResult): PageSection | null {
  const s = llmStats(result)
  if (!s) return null
  const metrics = htmlTable(['Metric (ms)', 'Mean', 'Median', 'P90', 'P95', 'P99', 'Std', 'Max', 'Samples'],
    ROWS.map(([label, key]) => {
      const m = s.metrics[key]
      return [label, r(m.mean), r(m.percentiles['50']!), r(m.percentiles['90']!), r(m.percentiles['95']!), r(m.percentiles['99']!), r(m.std), r(m.max), m.count]
    }))
  const totals = htmlTable(['Figure', 'Value'], [
    ['Streams completed / failed', `${s.completed} / ${s.failed}`],
    ['Output tokens', `${s.total_output_tokens} (from ${s.output_tokens_source})`],
    ['Input tokens', s.total_input_tokens === null ? 'not reported' : String(s.total_input_tokens)],
    ['Output tokens/s', `${r(s.output_throughput, 1)} (busiest second ${s.max_output_tokens_per_s})`],
    ['Completed requests/s', r(s.request_throughput, 2)],
    ['Goodput (req/s)', s.request_goodput === null ? 'no --slo given' : `${r(s.request_goodput, 2)} (${result.llm!.slos.join(', ')})`]
  ])
  return { heading: 'Streams (time to first token, inter-token latency, tokens)', html: metrics + totals }
}
