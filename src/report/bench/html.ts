// report.html: one offline page (echarts inlined by page.ts) with the results table, the analysis and
// every chart of every variant.
import type { BenchManifest, VariantRecord } from './data.js'
import type { NamedChart } from './charts.js'
import { analysisTable, details, resultsTable, type Table } from './tables.js'
import { runSummary, type ReportInput } from './markdown.js'
import { escapeHtml, htmlTable, renderPage, type PageSection } from '../page.js'
import { studyColumnsFor } from './study.js'
import { llmTable } from './llm-tables.js'

const table = (t: Table) => htmlTable(t.header, t.rows)

function analysisHtml(input: ReportInput): string {
  const parts = [table(analysisTable(input.analyses))]
  for (const a of input.analyses) {
    const record = input.records.find((r) => r.meta.name === a.name)!
    const cls = a.verdict.kind === 'healthy' ? 'good' : 'bad'
    const items = [...a.findings.slice(1).map((f) => f.text), ...a.errors.map((e) => e.text), ...details(a, record)]
    parts.push(`<h3>${escapeHtml(a.name)}</h3><p class="${cls}">${escapeHtml(a.verdict.text)}</p>` +
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

function failures(records: VariantRecord[]): PageSection[] {
  return records
    .filter((r) => r.meta.status === 'failed')
    .map((r) => ({ heading: `${r.meta.name} failed`, html: `<p class="bad">${escapeHtml(r.meta.error ?? 'unknown error')}</p>` }))
}

export function renderBenchHtml(input: ReportInput, charts: NamedChart[]): string {
  const { manifest, records } = input
  const users = records.find((r) => r.result)?.meta.load.users ?? 0
  return renderPage({
    title: `Floodgate bench: ${manifest.name}`,
    subtitle: runSummary(manifest as BenchManifest, records),
    lead: [
      ...failures(records),
      { heading: 'Results (ms; the study\'s published figures on the right)', html: table(resultsTable(records, studyColumnsFor(users))) },
      { heading: 'Analysis', html: analysisHtml(input) },
      ...llmHtml(input)
    ],
    charts,
    sections: []
  })
}
