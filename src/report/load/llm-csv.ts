// The streaming figures as CSV, beside Locust's files (which stay byte-compatible): PREFIX_llm_stats.csv,
// one row with vLLM's result field names (llm-stats.ts), and PREFIX_llm_stats_history.csv, one row per
// second (TTFT and ITL percentiles of that second's content events, output tokens/s). Written only when
// some response was read as a stream.
import { writeFile } from 'node:fs/promises'
import { llmStats, llmStatsFields } from '../../load/index.js'
import type { LoadResult } from '../../load/result.js'
import { csv, type Cell } from './csv.js'

export const LLM_HISTORY_HEADER = ['Timestamp', 'ttft_p50_ms', 'ttft_p95_ms', 'ttft_p99_ms', 'itl_p50_ms', 'itl_p99_ms',
  'output_tokens', 'output_tokens_per_s']

const orNa = (v: number | string | null): Cell => (v === null ? 'N/A' : v)

/** PREFIX_llm_stats.csv's text, or null when nothing was streamed. */
export function llmStatsCsv(result: LoadResult): string | null {
  const stats = llmStats(result)
  if (!stats) return null
  const fields = llmStatsFields(stats)
  return csv(fields.map(([name]) => name), [fields.map(([, value]) => orNa(value))])
}

export function llmHistoryCsv(result: LoadResult): string {
  const rows = result.history.filter((p) => p.llm).map((p) => {
    const l = p.llm!
    return [p.t, orNa(l.ttftP50), orNa(l.ttftP95), orNa(l.ttftP99), orNa(l.itlP50), orNa(l.itlP99), l.tokens, l.tokensPerSec]
  })
  return csv(LLM_HISTORY_HEADER, rows)
}

/** Writes PREFIX_llm_stats.csv and PREFIX_llm_stats_history.csv when streams were measured; returns the paths written. */
export async function writeLlmCsv(prefix: string, result: LoadResult): Promise<string[]> {
  const stats = llmStatsCsv(result)
  if (stats === null) return []
  const files: [string, string][] = [[`${prefix}_llm_stats.csv`, stats], [`${prefix}_llm_stats_history.csv`, llmHistoryCsv(result)]]
  await Promise.all(files.map(([path, text]) => writeFile(path, text)))
  return files.map(([path]) => path)
}
