// What `floodgate bench` and `floodgate report` print at the end, in the reports' order: the summary (one
// sentence per variant), the verdict table, this run's results, and the streams when any.
import type { ReportInput } from './markdown.js'
import { summaryLines } from './summary.js'
import { analysisTable, resultsTable, type Table } from './tables.js'
import { llmTable } from './llm-tables.js'

/** A table as aligned text: first column left, the others right. */
export function textTable(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n')
}

export function terminalReport(input: ReportInput): string {
  const out = ['Summary:', ...summaryLines(input.records, input.analyses).map((l) => `- ${l.text}`), '',
    textTable(analysisTable(input.analyses, input.records)), '', 'Results of this run:', textTable(resultsTable(input.records)), '']
  if (input.llm.length) {
    out.push('Streams (ms):', textTable(llmTable(input.llm)), '', ...input.llm.map((a) => `${a.name}: ${a.verdict.text}`), '')
  }
  return out.join('\n')
}
