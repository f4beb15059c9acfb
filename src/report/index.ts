// Reports: what `floodgate load` prints and writes of one run (load/: Locust's console tables and CSV
// files, the HTML page, the streaming figures), what `floodgate merge` writes (merged.ts), and the bench
// report with its analysis (bench/: report.md, report.html, the terminal tables). bench/data.ts, the
// files a bench run saves, is a contract with src/bench and imported directly.
export { finalReport, liveLine } from './load/console.js'
export { writeLocustCsv } from './load/csv.js'
export { writeLlmCsv } from './load/llm-csv.js'
export { writeLoadHtml } from './load/html.js'
export { mergeResultFiles, type MergeOutput } from './merged.js'
export { writeBenchReport, analyzeBench, type WrittenReport } from './bench/report.js'
export { analyzeVariant, type VariantAnalysis, type Finding } from './bench/analysis.js'
export { analysisTable, resultsTable, type Table } from './bench/tables.js'
export { llmTable } from './bench/llm-tables.js'
export { studyColumnsFor } from './bench/study.js'
export { fmtCount, fmtMs, fmtRate } from './bench/format.js'
export { MANIFEST, variantFiles, writeJson } from './bench/files.js'
