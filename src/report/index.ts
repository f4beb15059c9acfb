// Reports: what `floodgate load` prints and writes of one run (load/: Locust's console tables and CSV
// files, the HTML page, the streaming figures), what `floodgate merge` writes (merged.ts), and the bench
// report with its analysis (bench/: report.md, report.html, the terminal tables). bench/data.ts, the
// files a bench run saves, is a contract with src/bench and imported directly; so are load/charts.ts and
// escape.ts, which the live page's browser script (src/ui/client) bundles: this face pulls in Node modules.
export { finalReport, liveLine } from './load/console.js'
export { exceptionsCsv, failuresCsv, historyCsv, statsCsv, writeLocustCsv } from './load/csv.js'
export { llmHistoryCsv, llmStatsCsv, writeLlmCsv } from './load/llm-csv.js'
export { loadHtml, writeLoadHtml } from './load/html.js'
export { escapeHtml } from './escape.js'
export { mergeResultFiles, type MergeOutput } from './merged.js'
export { writeBenchReport, analyzeBench, type WrittenReport } from './bench/report.js'
export { analyzeVariant, type VariantAnalysis, type Finding } from './bench/analysis.js'
export { analysisTable, resultsTable, type Table } from './bench/tables.js'
export { terminalReport, textTable } from './bench/terminal.js'
export { llmTable } from './bench/llm-tables.js'
export { studyColumnsFor } from './bench/study.js'
export { cell, fmtCount, fmtMs, fmtPct, fmtRate, fmtSec } from './bench/format.js'
export { achievedThroughput, activeWindow, cpuMsInWindow, lowLoadServiceSec, waitModel, type WaitModel } from './bench/analysis.js'
export type { NamedChart } from './bench/charts.js'
export { markdownTable } from './bench/markdown.js'
export { writeSvgCharts } from './bench/svg.js'
export { htmlTable, renderPage } from './page.js'
export { MANIFEST, variantFiles, writeJson } from './bench/files.js'
