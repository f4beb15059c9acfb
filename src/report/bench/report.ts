// Writes report.md (+ charts/*.svg) and report.html of a bench folder from its saved files alone:
// what `floodgate bench` does at the end and `floodgate report <dir>` does again later.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { analyzeVariant, type VariantAnalysis } from './analysis.js'
import { analyzeLlm } from './llm-analysis.js'
import { benchCharts } from './charts.js'
import { readBench } from './files.js'
import { renderBenchHtml } from './html.js'
import { renderMarkdown, type ReportInput } from './markdown.js'
import { writeSvgCharts } from './svg.js'

export interface WrittenReport {
  markdown: string
  html: string
  input: ReportInput
}

export function analyzeBench(dir: string): ReportInput {
  const { manifest, records } = readBench(dir)
  const analyses: VariantAnalysis[] = records.filter((r) => r.result).map((r) => analyzeVariant(r.meta, r.result!, r.samples))
  return { manifest, records, analyses, llm: analyzeLlm(records) }
}

export async function writeBenchReport(dir: string): Promise<WrittenReport> {
  const input = analyzeBench(dir)
  const charts = benchCharts(input.records)
  const files = await writeSvgCharts(join(dir, 'charts'), charts)
  const markdown = join(dir, 'report.md')
  const html = join(dir, 'report.html')
  writeFileSync(markdown, renderMarkdown(input, charts.map((c, i) => ({ file: `charts/${files[i]}`, title: c.title }))))
  writeFileSync(html, renderBenchHtml(input, charts))
  return { markdown, html, input }
}
