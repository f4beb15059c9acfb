// report.md: the study's results table with this machine's columns beside the study's published ones,
// the analysis with its evidence, and the charts as SVG files beside the report.
import type { VariantAnalysis } from './analysis.js'
import type { LlmVariantAnalysis } from './llm-analysis.js'
import { llmTable } from './llm-tables.js'
import type { BenchManifest, VariantRecord } from './data.js'
import { analysisTable, details, resultsTable, type Table } from './tables.js'
import { fmtCount, fmtSec } from './format.js'
import { PROMPTFLOW_ON_2_CORES, studyColumnsFor } from './study.js'

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
  for (const d of details(a, record)) lines.push(`- ${d}`)
  if (record.meta.status === 'interrupted') lines.push('- Interrupted before the end: figures cover the part that ran.')
  return lines.join('\n')
}

function referenceSection(users: number): string {
  const rows = PROMPTFLOW_ON_2_CORES.filter((r) => r.users === users)
  const list = rows.length ? rows : PROMPTFLOW_ON_2_CORES
  return markdownTable({
    header: ['PromptFlow 1.18 on 2 cores', 'async req/s', 'async % of ideal', 'async p99', 'async CPU / request', 'async failures', 'sync req/s', 'sync median'],
    rows: list.map((r) => [r.run, r.asyncRps.toFixed(1), `${r.asyncPercentOfIdeal}%`, `${fmtCount(r.asyncP99Ms)} ms`,
      r.asyncCpuMsPerRequest === undefined ? '—' : `${r.asyncCpuMsPerRequest} ms`, r.asyncFailures, r.syncRps.toFixed(1), `${fmtCount(r.syncMedianMs)} ms`])
  })
}

/** `charts` are SVG file names relative to report.md, with their titles. */
export function renderMarkdown(input: ReportInput, charts: { file: string; title: string }[]): string {
  const { manifest, records, analyses } = input
  const users = records.find((r) => r.result)?.meta.load.users ?? 0
  const out: string[] = [`# Floodgate bench: ${manifest.name}`, '', runSummary(manifest, records), '']
  const failed = records.filter((r) => r.meta.status === 'failed')
  for (const r of failed) out.push(`> **${r.meta.name} failed:** ${r.meta.error ?? 'unknown error'}`, '')
  out.push('## Results', '', 'Response times in ms; the study\'s published figures on the right (— where it published none).', '',
    markdownTable(resultsTable(records, studyColumnsFor(users))), '')
  out.push('## Analysis', '', 'Ideal = average users / (service time + mean wait), the closed-loop limit with the spawn ramp counted; ' +
    'overhead = response time minus service time; server CPU = CPU time of the target\'s processes over the load / requests. See docs/bench.md.', '',
    markdownTable(analysisTable(analyses)), '')
  for (const a of analyses) out.push(variantSection(a, records.find((r) => r.meta.name === a.name)!), '')
  out.push(...llmSection(input.llm))
  out.push('## Reference: PromptFlow measured on this kind of machine', '', referenceSection(users), '')
  if (charts.length) {
    out.push('## Charts', '')
    for (const c of charts) out.push(`![${c.title}](${c.file})`, '')
  }
  out.push('## Files', '', 'Per variant: `<variant>/<variant>_stats.csv`, `_stats_history.csv`, `_failures.csv`, `_exceptions.csv` (Locust format), ' +
    '`<variant>_llm_stats.csv` and `_llm_stats_history.csv` when responses streamed, `result.json` (LoadResult), `samples.json` (CPU, memory and /metrics every second), `variant.json`. ' +
    '`floodgate report <this folder>` rebuilds this report from them.', '')
  return out.join('\n')
}
