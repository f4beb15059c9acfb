// `floodgate merge <result.json ...> --out DIR`: the results of several generators (shards of one
// distributed run, `floodgate load --shard I/N --json ...`) merged exactly into the outputs of one run:
// DIR/merged.json, DIR/merged_stats.csv (+ _stats_history, _failures, _exceptions; _llm_stats and
// _llm_stats_history when responses streamed) and DIR/report.html.
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { UsageError } from '../errors.js'
import { mergeResults, readLoadResult, type LoadResult } from '../load/index.js'
import { finalReport } from '../report/console.js'
import { writeLocustCsv } from '../report/csv.js'
import { writeLlmCsv } from '../report/llm-csv.js'
import { sameSlos } from '../load/llm-merge.js'
import { writeLoadHtml } from '../report/load-html.js'

export interface MergeOutput {
  result: LoadResult
  /** Every file written, merged.json first. */
  files: string[]
  /** Things the user should know that do not stop the merge (missing shards, different targets). */
  warnings: string[]
}

/** Missing or mismatched shards and different targets: worth a warning, not a refusal. */
function shardWarnings(files: string[], results: LoadResult[]): string[] {
  const warnings: string[] = []
  const urls = [...new Set(results.map((r) => `${r.config.method} ${r.config.url}`))]
  if (urls.length > 1) warnings.push(`the results load different targets (${urls.join(', ')}); they are merged per endpoint`)
  const llm = results.flatMap((r) => (r.llm ? [r.llm] : []))
  if (!sameSlos(llm)) {
    warnings.push(`the results measured goodput against different --slo (${llm.map((l) => l.slos.join(' ') || 'none').join('; ')}): the merged result has no goodput`)
  }
  const labels = results.map((r) => r.config.shard)
  if (labels.every((l) => l === undefined)) return warnings
  const counts = [...new Set(labels.map((l) => l?.split('/')[1]))]
  if (counts.length > 1 || labels.includes(undefined)) {
    warnings.push(`the results are not shards of one run (shards ${labels.map((l) => l ?? 'none').join(', ')})`)
    return warnings
  }
  const count = Number(counts[0])
  const seen = new Set(labels.map((l) => Number(l?.split('/')[0])))
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i))
  if (missing.length) {
    warnings.push(`shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merged load is ${seen.size}/${count} of the requested one (files: ${files.join(', ')})`)
  }
  return warnings
}

/** The same shard (or the same file) twice would count its requests twice: refuse. */
function checkDuplicates(files: string[], results: LoadResult[]): void {
  const byPath = new Map<string, string>()
  const byShard = new Map<string, string>()
  results.forEach((r, i) => {
    const path = resolve(files[i])
    const sameFile = byPath.get(path)
    if (sameFile !== undefined) throw new UsageError(`${files[i]} is given twice: its requests would be counted twice`, { file: files[i] })
    byPath.set(path, files[i])
    const label = r.config.shard
    if (label === undefined) return
    const other = byShard.get(label)
    if (other !== undefined) {
      throw new UsageError(`${files[i]} and ${other} are both shard ${label}: its requests would be counted twice`, { file: files[i] })
    }
    byShard.set(label, files[i])
  })
}

/** Reads, checks and merges result files, and writes DIR/merged.json, DIR/merged_*.csv and DIR/report.html. */
export async function mergeResultFiles(files: string[], outDir: string): Promise<MergeOutput> {
  if (files.length === 0) throw new UsageError('merge needs at least one <result.json> (files written by floodgate load --json)', { flag: '<result.json>' })
  const results: LoadResult[] = []
  for (const file of files) results.push(await readLoadResult(file))
  checkDuplicates(files, results)
  const warnings = shardWarnings(files, results)
  const result = mergeResults(results)
  await mkdir(outDir, { recursive: true })
  const json = join(outDir, 'merged.json')
  await writeFile(json, JSON.stringify(result, null, 2) + '\n')
  const csv = [...await writeLocustCsv(join(outDir, 'merged'), result), ...await writeLlmCsv(join(outDir, 'merged'), result)]
  const html = join(outDir, 'report.html')
  await writeLoadHtml(html, result)
  return { result, files: [json, ...csv, html], warnings }
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge results of several generators (floodgate load --shard I/N --json) exactly into one run\'s outputs')
    .argument('<result.json...>', 'files written by floodgate load --json (one per shard)')
    .requiredOption('--out <dir>', 'folder for merged.json, merged_stats.csv (+ history, failures, exceptions) and report.html')
    .option('--quiet', 'print only the files written, not the merged tables')
    .action(async (files: string[], flags: { out: string; quiet?: boolean }) => {
      const { result, files: written, warnings } = await mergeResultFiles(files, flags.out)
      for (const w of warnings) process.stderr.write(`floodgate merge: warning: ${w}\n`)
      if (!flags.quiet) process.stdout.write(finalReport(result, []))
      process.stdout.write(`Merged ${files.length} result(s): ${result.aggregated.requests} requests, ${result.aggregated.failures} failures\n`)
      process.stdout.write(`Wrote ${written.join(', ')}\n`)
    })
}
