// The results of several generators (shards of one distributed run, `floodgate load --shard I/N --json
// ...`) read, checked and merged exactly into the result of one run: what `floodgate merge` writes out
// (src/report/merged.ts).
import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { sameSlos } from './llm-merge.js'
import { mergeResults } from './merge.js'
import { readLoadResult } from './result-file.js'
import type { LoadResult } from './result.js'

export interface MergedResults {
  result: LoadResult
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

/** Reads, checks and merges result files. Refuses none, a file given twice, or a shard given twice. */
export async function readAndMergeResults(files: string[]): Promise<MergedResults> {
  if (files.length === 0) throw new UsageError('merge needs at least one <result.json> (files written by floodgate load --json)', { flag: '<result.json>' })
  const results: LoadResult[] = []
  for (const file of files) results.push(await readLoadResult(file))
  checkDuplicates(files, results)
  const warnings = shardWarnings(files, results)
  return { result: mergeResults(results), warnings }
}
