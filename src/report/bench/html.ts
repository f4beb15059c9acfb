// report.html: one offline page (echarts inlined by page.ts) that opens with the answer: the summary (one
// sentence per variant) with the comparison chart, then the verdict table, then the details (this run's
// results, the analysis of each variant, streams, the reference figures) and every chart of every variant.
import type { BenchManifest, VariantRecord } from './data.js'
import type { NamedChart } from './charts.js'
import { verdictTone } from './analysis.js'
import { analysisTable, details, resultsTable, type Table } from './tables.js'
import { runSummary, type ReportInput } from './markdown.js'
import { escapeHtml, htmlTable, renderPage, type PageSection } from '../page.js'
import { llmTable } from './llm-tables.js'
import { summaryLines } from './summary.js'
import { provenanceText, references } from './reference.js'

const table = (t: Table) => htmlTable(t.header, t.rows)

function summaryHtml(input: ReportInput, chart: NamedChart | null): PageSection {
  const lines = summaryLines(input.records, input.analyses)
  const html = `<ul class="summary">${lines.map((l) => `<li class="${l.tone}">${escapeHtml(l.text)}</li>`).join('')}</ul>`
  return { id: 'summary', heading: 'Summary', html, ...(chart ? { chart } : {}) }
}

function verdictsHtml(input: ReportInput): PageSection {
  const t = analysisTable(input.analyses, input.records)
  const verdict = t.header.indexOf('Verdict')
  const tones = input.analyses.map(verdictTone)
  return {
    id: 'verdicts',
    heading: 'Verdicts (ideal = the closed-loop limit; overhead = response time minus service time; see docs/bench.md)',
    html: htmlTable(t.header, t.rows, (row, column) => (column === verdict ? tones[row] : undefined))
  }
}

function analysisHtml(input: ReportInput): string {
  const parts: string[] = []
  for (const a of input.analyses) {
    const record = input.records.find((r) => r.meta.name === a.name)!
    const items = [...a.findings.slice(1).map((f) => f.text), ...a.errors.map((e) => e.text), ...details(a)]
    if (record.meta.status === 'interrupted') items.push('Interrupted before the end: figures cover the part that ran.')
    parts.push(`<h3>${escapeHtml(a.name)}</h3><p class="${verdictTone(a)}">${escapeHtml(a.verdict.text)}</p>` +
      (items.length ? `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : ''))
  }
  return parts.join('\n')
}

function llmHtml(input: ReportInput): PageSection[] {
  if (input.llm.length === 0) return []
  const verdicts = input.llm.map((a) => `<li><b>${escapeHtml(a.name)}</b>: <span class="${a.verdict.kind === 'transparent' || a.verdict.kind === 'floor' ? 'good' : 'bad'}">${escapeHtml(a.verdict.text)}</span>` +
    (a.findings.length > 1 ? `<ul>${a.findings.slice(1).map((f) => `<li>${escapeHtml(f.text)}</li>`).join('')}</ul>` : '') + '</li>')
  return [{ heading: 'Streams: time to first token and inter-token latency (ms; added = variant minus the floor, the LLM alone)', html: table(llmTable(input.llm)) + `<ul>${verdicts.join('')}</ul>` }]
}

function referenceHtml(users: number): PageSection[] {
  return references(users).map((r) => ({
    id: `reference-${r.id}`,
    heading: `Reference: ${r.title}`,
    html: `<p class="sub">${escapeHtml(provenanceText(r.provenance))}</p>${table(r.table)}`
  }))
}

/** The whole error of each failed variant (the summary carries its first line). */
function failures(records: VariantRecord[]): string {
  return records
    .filter((r) => r.meta.status === 'failed')
    .map((r) => `<h3>${escapeHtml(r.meta.name)}</h3><p class="bad">failed: ${escapeHtml(r.meta.error ?? 'unknown error')}</p>`)
    .join('\n')
}

/** `summary` is the comparison chart shown with the summary; `charts` the detail charts after the text. */
export function renderBenchHtml(input: ReportInput, summary: NamedChart | null, charts: NamedChart[]): string {
  const { manifest, records } = input
  const users = records.find((r) => r.result)?.meta.load.users ?? 0
  return renderPage({
    title: `Floodgate bench: ${manifest.name}`,
    subtitle: runSummary(manifest as BenchManifest, records),
    lead: [
      summaryHtml(input, summary),
      verdictsHtml(input),
      { id: 'results', heading: 'Results of this run (the study\'s format; response times in ms)', html: table(resultsTable(records)) },
      { id: 'analysis', heading: 'Analysis, per variant', html: analysisHtml(input) + failures(records) },
      ...llmHtml(input),
      ...referenceHtml(users)
    ],
    charts,
    sections: []
  })
}
