// What `floodgate load` prints of streamed responses: TTFT, TPOT, ITL, E2E and TTFB rows beside the
// Locust tables, the token and goodput totals, and a piece of the live line. Pure: text out.
import { llmStats, type DistributionStats } from '../../load/index.js'
import type { HistoryPoint, LoadResult } from '../../load/result.js'

const num = (n: number | null, digits = 2) => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits))
const ms = (n: number | null) => (n === null ? '-' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0))

const ROWS: [string, 'ttft' | 'tpot' | 'itl' | 'e2el' | 'ttfb', string][] = [
  ['TTFT', 'ttft', 'time to first token (first content event)'],
  ['TPOT', 'tpot', '(E2E - TTFT) / (tokens - 1), per request'],
  ['ITL', 'itl', 'gap between content events, every event'],
  ['E2E', 'e2el', 'to the last content event'],
  ['TTFB', 'ttfb', 'to the response headers, every response']
]

function row(name: string, m: DistributionStats, what: string): string[] {
  return [name, ms(m.mean), ms(m.percentiles['50']!), ms(m.percentiles['90']!), ms(m.percentiles['95']!), ms(m.percentiles['99']!),
    ms(m.max), String(m.count), what]
}

function align(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n')
}

/** The streaming section of the final report, or '' when no response was read as a stream. */
export function llmReport(result: LoadResult): string {
  const s = llmStats(result)
  if (!s) return ''
  const header = ['Metric', 'Mean', 'Median', 'P90', 'P95', 'P99', 'Max', '# samples', '']
  const table = align([header, ...ROWS.map(([name, key, what]) => row(name, s.metrics[key], what))])
  const slos = result.llm!.slos
  const goodput = s.request_goodput === null ? 'goodput: no --slo given'
    : `goodput ${num(s.request_goodput)} req/s (${result.llm!.good} of ${s.completed} met ${slos.join(', ')})`
  const input = s.total_input_tokens === null ? 'input tokens not reported' : `input tokens ${s.total_input_tokens}`
  return [
    'Streams (ms; HdrHistogram, 3 significant digits)', table, '',
    `Streams: ${s.completed} completed, ${s.failed} failed | output tokens ${s.total_output_tokens} (from ${sourceText(s.output_tokens_source)}) | ${input}`,
    `Throughput: ${num(s.output_throughput, 1)} output tokens/s (busiest second ${s.max_output_tokens_per_s}), ${num(s.request_throughput)} completed req/s | ${goodput}`
  ].join('\n')
}

function sourceText(source: string): string {
  switch (source) {
    case 'usage': return 'the server\'s usage'
    case 'events': return 'content events: no usage sent'
    case 'mixed': return 'usage where sent, else content events'
    default: return 'no completed stream'
  }
}

/** " | ttft p50 301 p99 320 ms | itl p50 20.0 ms | 4321 tok/s", or '' before any stream. */
export function llmLive(p: HistoryPoint): string {
  const l = p.llm
  if (!l) return ''
  return ` | ttft p50 ${ms(l.ttftP50)} p99 ${ms(l.ttftP99)} ms | itl p50 ${ms(l.itlP50)} ms | ${num(l.tokensPerSec, 0)} tok/s`
}
