// Goodput's SLO checks one request at a time (inclusive, TPOT 0 for one token, ITL = the longest gap),
// and --threshold on the streaming figures: ttft_p99, itl_p50, e2e_avg, goodput, tokens_per_s, with
// their values worked out from requests recorded by hand.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LlmRecorder, type FinishedStream } from '../../src/load/llm-recorder.js'
import { parseSlo } from '../../src/load/slo.js'
import { evaluateThresholds, parseThreshold } from '../../src/load/index.js'
import type { LoadResult } from '../../src/load/result.js'

/** One finished request: first token at `ttft` ms, then `gaps` ms apart; `usage` tokens when given. */
function request(rec: LlmRecorder, ttft: number, gaps: number[], usage = -1, ok = true): void {
  rec.firstToken(ttft)
  let at = ttft
  for (const g of gaps) {
    rec.nextToken(g)
    at += g
  }
  const s: FinishedStream = {
    startedAt: 1000, firstAt: 1000 + ttft, lastAt: 1000 + at, contentEvents: gaps.length + 1,
    maxGapMs: Math.max(0, ...gaps), usageTokens: usage, promptTokens: -1
  }
  rec.finish(s, ok)
}

test('a request is good when every SLO holds, compared inclusively (vLLM); TPOT is 0 for one token; ITL is the longest gap', () => {
  const rec = new LlmRecorder(['ttft<500', 'itl<60', 'tpot<50'].map(parseSlo))
  request(rec, 500, [50, 50])          // TTFT and TPOT on their limits: good
  request(rec, 500.5, [50])            // TTFT over by 0.5 ms
  request(rec, 100, [10, 61])          // one gap over 60
  request(rec, 100, [55, 55], 10)      // TPOT 110 / 9 = 12.2 ms with usage's 10 tokens: good
  request(rec, 100, [55, 55])          // TPOT 55 ms with the 3 events: over 50
  request(rec, 400, [])                // one token: TPOT 0, no gap: good
  request(rec, 10, [10], -1, false)    // a failed stream is never good
  assert.equal(rec.completed, 6)
  assert.equal(rec.good, 3)
  assert.equal(rec.tpot.count, 5, 'no TPOT sample for the one-token reply')
  assert.equal(rec.streamed, 7)
  const e2e = new LlmRecorder([parseSlo('e2e<=2000')])
  request(e2e, 100, [1900])            // 2000 ms: good
  request(e2e, 100, [1900.5])          // 2000.5 ms: not
  assert.equal(e2e.good, 1)
})

test('SLO syntax: ms by default, s accepted, vLLM\'s KEY:VALUE and e2el accepted', () => {
  assert.deepEqual(parseSlo('ttft<500'), { text: 'ttft<500', metric: 'ttft', limitUs: 500_000 })
  assert.deepEqual(parseSlo(' e2e < 5s '), { text: 'e2e < 5s', metric: 'e2e', limitUs: 5_000_000 })
  assert.deepEqual(parseSlo('e2el:2000'), { text: 'e2el:2000', metric: 'e2e', limitUs: 2_000_000 })
  assert.equal(parseSlo('itl<=12.5').limitUs, 12_500)
  assert.equal(parseSlo('itl<=12.55').limitUs, 12_550)
  assert.equal(parseSlo('ttft<500ms').limitUs, 500_000)
  assert.equal(parseSlo('tpot<0.5s').limitUs, 500_000)
})

test('SLO syntax errors name --slo and what is wrong', () => {
  const expected = (text: string) => `invalid --slo "${text}": expected METRIC<MILLISECONDS, e.g. ttft<500 or e2e<5000 (metrics: ttft, itl, tpot, e2e)`
  // Anything before the metric or after the value, a > or = for <, a value that is not a number.
  for (const text of ['9ttft<500', 'ttft<500x', 'ttft>500', 'ttft=500', 'ttft<', 'ttft<-5', 'TTFT<500']) {
    assert.throws(() => parseSlo(text), { name: 'UsageError', message: expected(text), details: { flag: '--slo' } }, text)
  }
  assert.throws(() => parseSlo('ttfb<5'), {
    name: 'UsageError', message: 'invalid --slo "ttfb<5": unknown metric "ttfb" (metrics: ttft, itl, tpot, e2e)', details: { flag: '--slo' }
  })
})

function resultOf(rec: LlmRecorder, durationSec: number): LoadResult {
  return {
    durationSec, aggregated: { failures: 0, requests: rec.completed }, history: [], llm: rec.toResult()
  } as unknown as LoadResult
}

test('stream thresholds read the recorded distributions (ms), goodput and tokens/s per second of the run', () => {
  const rec = new LlmRecorder([parseSlo('ttft<150')])
  // TTFTs 100..199 ms, each reply 2 tokens (usage) 20 ms apart.
  for (let i = 0; i < 100; i++) request(rec, 100 + i, [20], 2)
  const result = resultOf(rec, 10)
  const outcomes = evaluateThresholds(result, ['ttft_p99<800', 'ttft_p50<=150', 'ttft_max<199', 'itl_p50<30', 'e2e_avg<200', 'tpot_min>=20',
    'goodput>5', 'tokens_per_s>=20', 'ttfb_p50<1'])
  const actual = Object.fromEntries(outcomes.map((o) => [o.threshold.text, [o.actual, o.passed]]))
  assert.deepEqual(actual['ttft_p99<800'], [198.015, true])
  assert.deepEqual(actual['ttft_p50<=150'], [149.119, true], 'HDR: the top of the 149 ms bucket')
  assert.deepEqual(actual['ttft_max<199'], [199, false])
  assert.deepEqual(actual['itl_p50<30'], [20, true])
  assert.deepEqual(actual['e2e_avg<200'], [169.5, true])
  assert.deepEqual(actual['tpot_min>=20'], [20, true])
  assert.deepEqual(actual['goodput>5'], [5.1, true], '51 requests had TTFT <= 150 ms, over 10 s')
  assert.deepEqual(actual['tokens_per_s>=20'], [20, true], '200 tokens over 10 s')
  assert.deepEqual(actual['ttfb_p50<1'], [null, false], 'no data: fails')
})

test('threshold syntax for streams: statistic aliases, units, and what is not allowed', () => {
  assert.deepEqual(parseThreshold('itl_median<30'), { text: 'itl_median<30', metric: 'stream', stream: { metric: 'itl', stat: 'percentile' }, percentile: 50, op: '<', value: 30 })
  assert.deepEqual(parseThreshold('e2e_mean<5s').stream, { metric: 'e2el', stat: 'avg' })
  assert.equal(parseThreshold('e2e_mean<5s').value, 5000)
  assert.equal(parseThreshold('tokens_per_s>500').metric, 'tokens_per_s')
  assert.equal(parseThreshold('goodput>=10').metric, 'goodput')
  assert.throws(() => parseThreshold('ttft_p0<5'), { message: 'invalid --threshold "ttft_p0<5": percentile 0 is outside 0 < p <= 100' })
  assert.throws(() => parseThreshold('goodput>5s'), { message: 'invalid --threshold "goodput>5s": "s" is a time unit but goodput is not a time' })
})
