// `floodgate merge <result.json ...> --out DIR`: the results of several generators merged exactly
// (src/load/merge-files.ts) and written as the outputs of one run: DIR/merged.json, DIR/merged_stats.csv
// (+ _stats_history, _failures, _exceptions; _llm_stats and _llm_stats_history when responses streamed)
// and DIR/report.html.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readAndMergeResults, type LoadResult } from '../load/index.js'
import { writeLocustCsv } from './load/csv.js'
import { writeLlmCsv } from './load/llm-csv.js'
import { writeLoadHtml } from './load/html.js'

export interface MergeOutput {
  result: LoadResult
  /** Every file written, merged.json first. */
  files: string[]
  /** Things the user should know that do not stop the merge (missing shards, different targets). */
  warnings: string[]
}

/** Reads, checks and merges result files, and writes DIR/merged.json, DIR/merged_*.csv and DIR/report.html. */
export async function mergeResultFiles(files: string[], outDir: string): Promise<MergeOutput> {
  const { result, warnings } = await readAndMergeResults(files)
  await mkdir(outDir, { recursive: true })
  const json = join(outDir, 'merged.json')
  await writeFile(json, JSON.stringify(result, null, 2) + '\n')
  const csv = [...await writeLocustCsv(join(outDir, 'merged'), result), ...await writeLlmCsv(join(outDir, 'merged'), result)]
  const html = join(outDir, 'report.html')
  await writeLoadHtml(html, result)
  return { result, files: [json, ...csv, html], warnings }
}
