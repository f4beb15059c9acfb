// The streaming figures of a run under vLLM's result field names (`vllm bench serve`), so they line up
// with its output: the columns of PREFIX_llm_stats.csv, the `llmStats` of --json, the console and the
// thresholds all come from here. Times in ms; rates per second of the run's duration (Locust's: to the
// last response). Percentiles are HDR's (the value at or above the percentile, 3 significant digits),
// where vLLM interpolates linearly between samples; means and standard deviations (population) are exact.
import { distributionStats, type DistributionResult, type DistributionStats } from './distribution.js'
import type { LlmResult, LoadResult } from './result.js'

export type TokensSource = 'usage' | 'events' | 'mixed' | 'none'

/** The distributions reported per metric, with vLLM's metric names (ttfb and the per-request rate are ours). */
export const LLM_METRICS = [
  ['ttft', 'ttft', 1000],
  ['tpot', 'tpot', 1000],
  ['itl', 'itl', 1000],
  ['e2el', 'e2el', 1000],
  ['ttfb', 'ttfb', 1000],
  ['requestTokensPerSec', 'request_output_throughput', 1000]
] as const satisfies readonly (readonly [keyof LlmResult, string, number])[]

export type LlmMetricName = (typeof LLM_METRICS)[number][1]

export interface LlmStats {
  duration: number
  total: number
  completed: number
  failed: number
  total_input_tokens: number | null
  total_output_tokens: number
  output_tokens_source: TokensSource
  request_throughput: number
  /** null without --slo. */
  request_goodput: number | null
  output_throughput: number
  /** The busiest whole second's output tokens. */
  max_output_tokens_per_s: number
  /** ms (tokens/s for request_output_throughput), by vLLM's metric name. */
  metrics: Record<LlmMetricName, DistributionStats>
}

export function tokensSource(llm: LlmResult): TokensSource {
  if (llm.completed === 0) return 'none'
  if (llm.usageResponses === llm.completed) return 'usage'
  return llm.usageResponses === 0 ? 'events' : 'mixed'
}

function busiestSecond(result: LoadResult): number {
  const points = result.history.filter((p) => p.llm)
  // The first and last windows are partial seconds: their rates are not a second's tokens.
  const whole = points.length > 2 ? points.slice(1, -1) : points
  return whole.reduce((max, p) => Math.max(max, p.llm!.tokens), 0)
}

/** The run's streaming figures, or null when no response was read as a stream. */
export function llmStats(result: LoadResult): LlmStats | null {
  const llm = result.llm
  if (!llm || llm.streamed === 0) return null
  const secs = result.durationSec > 0 ? result.durationSec : 1
  const failed = result.aggregated.failures
  const metrics = {} as Record<LlmMetricName, DistributionStats>
  for (const [key, name, scale] of LLM_METRICS) metrics[name] = distributionStats(llm[key] as DistributionResult, scale)
  return {
    duration: result.durationSec,
    total: llm.completed + failed,
    completed: llm.completed,
    failed,
    total_input_tokens: llm.inputResponses > 0 ? llm.inputTokens : null,
    total_output_tokens: llm.outputTokens,
    output_tokens_source: tokensSource(llm),
    request_throughput: llm.completed / secs,
    request_goodput: llm.slos.length > 0 ? llm.good / secs : null,
    output_throughput: llm.outputTokens / secs,
    max_output_tokens_per_s: busiestSecond(result),
    metrics
  }
}

/** The flat fields (CSV columns, --json's llmStats) in order: counts and rates, then per metric mean, median, std, p90, p95, p99. */
export function llmStatsFields(s: LlmStats): [string, number | string | null][] {
  const fields: [string, number | string | null][] = [
    ['duration', s.duration], ['total', s.total], ['completed', s.completed], ['failed', s.failed],
    ['total_input_tokens', s.total_input_tokens], ['total_output_tokens', s.total_output_tokens],
    ['output_tokens_source', s.output_tokens_source], ['request_throughput', s.request_throughput],
    ['request_goodput', s.request_goodput], ['output_throughput', s.output_throughput],
    ['max_output_tokens_per_s', s.max_output_tokens_per_s]
  ]
  for (const [, name] of LLM_METRICS) {
    const m = s.metrics[name]
    const unit = name === 'request_output_throughput' ? '' : '_ms'
    fields.push([`mean_${name}${unit}`, m.mean], [`median_${name}${unit}`, m.percentiles['50']!], [`std_${name}${unit}`, m.std])
    for (const p of ['90', '95', '99']) fields.push([`p${p}_${name}${unit}`, m.percentiles[p]!])
  }
  return fields
}

/** Sets `result.llmStats` (vLLM's names, for readers of --json) from its streaming figures; returns the result. */
export function withLlmStats(result: LoadResult): LoadResult {
  const stats = llmStats(result)
  if (stats) result.llmStats = Object.fromEntries(llmStatsFields(stats))
  return result
}
