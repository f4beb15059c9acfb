// A run's streaming figures under vLLM's names: the counts and rates per second of the run, where the
// output tokens came from, the busiest whole second, and the flat fields that become
// PREFIX_llm_stats.csv's columns and --json's llmStats. Streams are recorded by hand through the load
// generator's own LlmRecorder.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LlmRecorder, type FinishedStream } from '../../src/load/llm-recorder.js'
import { llmStats, llmStatsFields, tokensSource, withLlmStats } from '../../src/load/llm-stats.js'
import { parseSlo } from '../../src/load/slo.js'
import type { LoadResult } from '../../src/load/result.js'

/** One stream: first token at `ttft` ms, one more `gap` ms later; `usage` output tokens when given (else 2 events). */
function stream(rec: LlmRecorder, ttft: number, gap: number, usage = -1, prompt = -1): void {
  rec.firstToken(ttft)
  rec.nextToken(gap)
  const s: FinishedStream = { startedAt: 1000, firstAt: 1000 + ttft, lastAt: 1000 + ttft + gap, contentEvents: 2, maxGapMs: gap, usageTokens: usage, promptTokens: prompt }
  rec.finish(s, true)
}

function resultOf(rec: LlmRecorder | null, durationSec: number, failures = 0, tokensBySecond: Array<number | null> = []): LoadResult {
  return {
    durationSec,
    aggregated: { failures, requests: (rec?.completed ?? 0) + failures },
    history: tokensBySecond.map((tokens, i) => ({ t: 100 + i, ...(tokens === null ? {} : { llm: { tokens } }) })),
    ...(rec ? { llm: rec.toResult() } : {})
  } as unknown as LoadResult
}

test('counts and rates per second of the run; goodput only with --slo; input tokens only when the server sent them', () => {
  const rec = new LlmRecorder([parseSlo('ttft<150')])
  stream(rec, 100, 20, 10, 7)
  stream(rec, 200, 20, 30, 5)
  stream(rec, 120, 40)
  rec.finish({ startedAt: 1000, firstAt: -1, lastAt: -1, contentEvents: 0, maxGapMs: 0, usageTokens: -1, promptTokens: -1 }, false)
  const s = llmStats(resultOf(rec, 4, 1))!
  assert.deepEqual(
    [s.duration, s.total, s.completed, s.failed, s.total_input_tokens, s.total_output_tokens, s.output_tokens_source],
    [4, 4, 3, 1, 12, 42, 'mixed'])
  assert.equal(s.request_throughput, 3 / 4)
  assert.equal(s.request_goodput, 2 / 4, 'TTFT 100 and 120 ms are within 150')
  assert.equal(s.output_throughput, 42 / 4)
  assert.equal(s.metrics.ttft.count, 3)
  assert.equal(s.metrics.ttft.mean, 140)
  assert.equal(s.metrics.ttft.max, 200)

  const plain = new LlmRecorder([])
  stream(plain, 100, 20)
  const p = llmStats(resultOf(plain, 2))!
  assert.equal(p.request_goodput, null)
  assert.equal(p.total_input_tokens, null)
  assert.equal(p.output_tokens_source, 'events')
  // A run that took no measurable time divides by one second, not by zero.
  assert.equal(llmStats(resultOf(plain, 0))!.request_throughput, 1)
})

test('where the output tokens came from: usage, events, mixed, or none', () => {
  const llm = (completed: number, usageResponses: number) => ({ completed, usageResponses }) as Parameters<typeof tokensSource>[0]
  assert.equal(tokensSource(llm(0, 0)), 'none')
  assert.equal(tokensSource(llm(3, 3)), 'usage')
  assert.equal(tokensSource(llm(3, 0)), 'events')
  assert.equal(tokensSource(llm(3, 1)), 'mixed')
})

test('no figures for a run without streams', () => {
  assert.equal(llmStats(resultOf(null, 5)), null)
  assert.equal(llmStats(resultOf(new LlmRecorder([]), 5)), null, 'no response was read as a stream')
  const result = resultOf(null, 5)
  assert.equal(withLlmStats(result), result)
  assert.equal('llmStats' in result, false)
})

test("the busiest second is a whole one: the first and last windows' partial seconds are left out", () => {
  const rec = new LlmRecorder([])
  stream(rec, 100, 20)
  assert.equal(llmStats(resultOf(rec, 5, 0, [900, 120, 300, 80, 950]))!.max_output_tokens_per_s, 300)
  // The first and last are counted among the seconds that carry stream figures (null: none).
  assert.equal(llmStats(resultOf(rec, 5, 0, [null, 900, 120, null, 300, 80, 950, null]))!.max_output_tokens_per_s, 300)
  // Two windows or fewer: no whole second in between, both count.
  assert.equal(llmStats(resultOf(rec, 5, 0, [70, 40]))!.max_output_tokens_per_s, 70)
  assert.equal(llmStats(resultOf(rec, 5, 0, [null, 40]))!.max_output_tokens_per_s, 40)
  assert.equal(llmStats(resultOf(rec, 5, 0, []))!.max_output_tokens_per_s, 0)
})

test("the flat fields, in the CSV's column order, with vLLM's names", () => {
  const rec = new LlmRecorder([])
  stream(rec, 100, 20, 4)
  stream(rec, 300, 40, 4)
  const s = llmStats(resultOf(rec, 2))!
  const fields = llmStatsFields(s)
  const metricColumns = (name: string, unit: string) => ['mean', 'median', 'std', 'p90', 'p95', 'p99'].map((stat) => `${stat}_${name}${unit}`)
  assert.deepEqual(fields.map(([name]) => name), [
    'duration', 'total', 'completed', 'failed', 'total_input_tokens', 'total_output_tokens', 'output_tokens_source',
    'request_throughput', 'request_goodput', 'output_throughput', 'max_output_tokens_per_s',
    ...metricColumns('ttft', '_ms'), ...metricColumns('tpot', '_ms'), ...metricColumns('itl', '_ms'),
    ...metricColumns('e2el', '_ms'), ...metricColumns('ttfb', '_ms'), ...metricColumns('request_output_throughput', '')
  ])
  const value = Object.fromEntries(fields)
  assert.deepEqual([value.duration, value.total, value.completed, value.failed, value.total_input_tokens, value.total_output_tokens],
    [2, 2, 2, 0, null, 8])
  assert.deepEqual([value.output_tokens_source, value.request_throughput, value.request_goodput, value.output_throughput], ['usage', 1, null, 4])
  assert.equal(value.mean_ttft_ms, 200)
  assert.equal(value.std_ttft_ms, 100)
  const ttft = s.metrics.ttft
  assert.deepEqual([value.median_ttft_ms, value.p90_ttft_ms, value.p95_ttft_ms, value.p99_ttft_ms],
    [ttft.percentiles['50'], ttft.percentiles['90'], ttft.percentiles['95'], ttft.percentiles['99']])
  assert.ok(ttft.percentiles['50']! >= 100 && ttft.percentiles['50']! < 101, `median ${ttft.percentiles['50']}`)
  assert.ok(ttft.percentiles['99']! >= 299 && ttft.percentiles['99']! <= 300, `p99 ${ttft.percentiles['99']}`)
  // withLlmStats puts the same fields on the result, for --json.
  const result = resultOf(rec, 2)
  assert.deepEqual(withLlmStats(result).llmStats, value)
})
