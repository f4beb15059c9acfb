// report.md, in report.html's order: the summary (one sentence per variant) and the comparison chart, the
// verdict table, then the details: this run's results in the study's format, the analysis of each
// variant with its evidence, streams, the reference figures with their provenance, and the charts as SVG
// files beside the report.
import type { VariantAnalysis } from './analysis.js'
import type { LlmVariantAnalysis } from './llm-analysis.js'
import { llmTable } from './llm-tables.js'
import type { BenchManifest, VariantRecord } from './data.js'
import { analysisTable, details, resultsTable, type Table } from './tables.js'
import { fmtCount, fmtSec } from './format.js'
import { summaryLines } from './summary.js'
import { provenanceText, references } from './reference.js'

export interface ReportInput {
  manifest: BenchManifest
  records: VariantRecord[]
  /** One per record with a result, same order. */
  analyses: VariantAnalysis[]
  /** One per record whose responses streamed (empty when none did). */
  llm: LlmVariantAnalysis[]
}

/** The streaming section: time to first token and inter-token latency against the floor, per variant. */
function llmSection(llm: LlmVariantAnalysis[]): string[] {
  if (llm.length === 0) return []
  const out = ['## Streams: time to first token and inter-token latency', '',
    'Per variant, from every content event of its streamed responses (ms, HDR): "added" is the variant minus the floor, the LLM ' +
    "alone (the variant of kind direct); output tokens from the server's usage where sent. See docs/bench.md.", '',
    markdownTable(llmTable(llm)), '']
  for (const a of llm) out.push(`- **${a.name}**: ${a.verdict.text}`, ...a.findings.slice(1).map((f) => `  - ${f.text}`))
  out.push('')
  return out
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function markdownTable(t: Table): string {
  const row = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`
  return [row(t.header), `|${t.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...t.rows.map(row)].join('\n')
}

/** The run's setting in one line: machine and load profile. */
export function runSummary(m: BenchManifest, records: VariantRecord[]): string {
  const loads = [...new Set(records.map((r) => {
    const l = r.meta.load
    return `${fmtCount(l.users)} users, spawn ${l.spawnRate}/s, ${fmtSec(l.runTimeSec)}, wait ${l.wait}`
  }))]
  const gib = (m.machine.memoryBytes / 1024 ** 3).toFixed(0)
  return `${m.createdAt}, ${m.machine.cores} cores (${m.machine.cpuModel}), ${gib} GiB, Node ${m.machine.node}. ` +
    `Load per variant: ${loads.join('; ')}${m.full ? ' (--full)' : ''}. Generator, mock and server share this machine.`
}

function variantSection(a: VariantAnalysis, record: VariantRecord): string {
  const lines = [`### ${a.name}`, '', `**${a.verdict.text}**`, '']
  for (const f of a.findings.slice(1)) lines.push(`- ${f.text}`)
  for (const e of a.errors) lines.push(`- ${e.text}`)
  for (const d of details(a)) lines.push(`- ${d}`)
  if (record.meta.status === 'interrupted') lines.push('- Interrupted before the end: figures cover the part that ran.')
  return lines.join('\n')
}

export interface ChartFile {
  file: string
  title: string
}

/** `summary` is the comparison chart's SVG (relative to report.md), `charts` the detail charts'. */
export function renderMarkdown(input: ReportInput, summary: ChartFile | null, charts: ChartFile[]): string {
  const { manifest, records, analyses } = input
  const users = records.find((r) => r.result)?.meta.load.users ?? 0
  const out: string[] = [`# Floodgate bench: ${manifest.name}`, '', runSummary(manifest, records), '', '## Summary', '']
  for (const l of summaryLines(records, analyses)) out.push(`- ${l.text}`)
  out.push('')
  if (summary) out.push(`![${summary.title}](${summary.file})`, '')
  out.push('## Verdicts', '', 'Ideal = average users / (service time + mean wait), the closed-loop limit with the spawn ramp counted; ' +
    'answered = 2xx, refused = 503; p50 and p99 of the answered requests; overhead = response time minus service time; ' +
    'server CPU = CPU time of the target\'s processes over the load / requests. See docs/bench.md for each verdict and its bounds.', '',
    markdownTable(analysisTable(analyses, records)), '')
  out.push('## Results of this run', '', 'In the study\'s format, response times in ms; Locust\'s Requests/s split into answered (2xx), ' +
    'refused (503) and other failures, which add up to it.', '', markdownTable(resultsTable(records)), '')
  out.push('## Analysis, per variant', '')
  for (const a of analyses) out.push(variantSection(a, records.find((r) => r.meta.name === a.name)!), '')
  for (const r of records.filter((x) => x.meta.status === 'failed')) out.push(`### ${r.meta.name}`, '', `**failed:** ${r.meta.error ?? 'unknown error'}`, '')
  out.push(...llmSection(input.llm))
  for (const ref of references(users)) {
    out.push(`## Reference: ${ref.title}`, '', `_${provenanceText(ref.provenance)}_`, '', markdownTable(ref.table), '')
  }
  if (charts.length) {
    out.push('## Charts', '')
    for (const c of charts) out.push(`![${c.title}](${c.file})`, '')
  }
  out.push('## Files', '', 'Per variant: `<variant>/<variant>_stats.csv`, `_stats_history.csv`, `_failures.csv`, `_exceptions.csv` (Locust format), ' +
    '`<variant>_llm_stats.csv` and `_llm_stats_history.csv` when responses streamed, `result.json` (LoadResult), `samples.json` (CPU, memory and /metrics every second), `variant.json`. ' +
    '`floodgate report <this folder>` rebuilds this report from them.', '')
  return out.join('\n')
}
