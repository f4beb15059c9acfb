// A measured quantity of many requests: exact count, sum, min and max beside the HDR histogram, added
// without loss, read back from a result, and its statistics scaled (microseconds to ms); and the
// --threshold evaluation of every metric and operator on a result written by hand.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Distribution, distributionStats, percentileOf } from '../../src/load/distribution.js'
import { evaluateThresholds } from '../../src/load/index.js'
import { encodeHistogram, newHistogram } from '../../src/load/histogram.js'
import type { LoadResult } from '../../src/load/result.js'

function distribution(values: number[]): Distribution {
  const d = new Distribution()
  for (const v of values) d.record(v)
  return d
}

test('record: whole units, negatives and zero as 0, exact sum, min and max', () => {
  const d = distribution([1500.4, 2500.6, -3, 0.2])
  assert.deepEqual([d.count, d.sum, d.sumSq, d.min, d.max], [4, 1500 + 2501, 1500 ** 2 + 2501 ** 2, 0, 2501])
  assert.equal(d.hist.totalCount, 4)
  const one = distribution([7])
  assert.deepEqual([one.min, one.max], [7, 7])
  const rising = distribution([3, 5, 9])
  assert.deepEqual([rising.min, rising.max], [3, 9])
})

test('add is exact, and from() reads back what toResult() wrote', () => {
  const a = distribution([10, 20])
  const b = distribution([5, 40, 30])
  a.add(b)
  assert.deepEqual([a.count, a.sum, a.sumSq, a.min, a.max, a.hist.totalCount], [5, 105, 100 + 400 + 25 + 1600 + 900, 5, 40, 5])
  const c = distribution([15])
  c.add(distribution([12, 18]))
  assert.deepEqual([c.min, c.max], [12, 18])
  const keep = distribution([1, 100])
  keep.add(distribution([50]))
  assert.deepEqual([keep.min, keep.max], [1, 100])
  const back = Distribution.from(a.toResult())
  assert.deepEqual([back.count, back.sum, back.sumSq, back.min, back.max, back.hist.totalCount], [5, 105, 3025, 5, 40, 5])
  const empty = new Distribution().toResult()
  assert.deepEqual([empty.count, empty.min, empty.max], [0, 0, 0])
  const fromEmpty = Distribution.from(empty)
  assert.deepEqual([fromEmpty.count, fromEmpty.min, fromEmpty.max, fromEmpty.hist.totalCount], [0, Infinity, 0, 0])
  fromEmpty.add(distribution([9]))
  assert.deepEqual([fromEmpty.min, fromEmpty.max], [9, 9])
})

test('statistics in units / scale: mean, population std, min, max, and percentiles never above the max', () => {
  const r = distribution([100_000, 300_000]).toResult()
  const s = distributionStats(r, 1000)
  assert.deepEqual([s.count, s.mean, s.std, s.min, s.max], [2, 200, 100, 100, 300])
  assert.ok(s.percentiles['50']! >= 100 && s.percentiles['50']! < 100.1, `p50 ${s.percentiles['50']}`)
  assert.equal(s.percentiles['99'], 300, 'the top of the HDR bucket is held at the exact maximum')
  assert.deepEqual(distributionStats(undefined), { count: 0, mean: null, std: null, min: null, max: null, percentiles: { 50: null, 90: null, 95: null, 99: null } })
  assert.equal(distributionStats(new Distribution().toResult()).mean, null)
  assert.equal(percentileOf(r, 100, 1000), 300)
  assert.equal(percentileOf(r, 100.5, 1000), 300)
  assert.equal(percentileOf(r, 99.999, 1000), 300)
  assert.ok(percentileOf(r, 50, 1000)! < 100.1)
  assert.equal(percentileOf(undefined, 50), null)
  assert.equal(percentileOf(new Distribution().toResult(), 50), null)
})

/** A result with two requests' figures written by hand (ms), and streams when given. */
function result(requests: number, llm?: Partial<Record<'ttft' | 'itl', number[]>>): LoadResult {
  const h = newHistogram()
  if (requests) for (const us of [100_000, 300_000]) h.recordValue(us)
  const aggregated = { requests, failures: requests ? 1 : 0, minMs: 100, maxMs: 300, meanMs: 200, medianMs: 100, rps: 4, percentiles: requests ? { 99: 300 } : {} }
  const streams = llm && {
    ttft: distribution(llm.ttft ?? []).toResult(),
    itl: distribution(llm.itl ?? []).toResult()
  }
  return { aggregated, histograms: { Aggregated: encodeHistogram(h) }, ...(streams ? { llm: streams } : {}) } as unknown as LoadResult
}

test('every threshold metric reads its own figure; none is measured on a run without requests', () => {
  const figures = (r: LoadResult, texts: string[]) => evaluateThresholds(r, texts).map((o) => o.actual)
  const all = ['p99<1', 'p50<1', 'avg<1', 'min<1', 'max<1', 'med<1', 'fail_ratio<1', 'rps<1', 'failures<1']
  const measured = figures(result(2), all)
  assert.equal(measured[0], 300, 'a percentile the run kept')
  assert.ok(measured[1]! >= 100 && measured[1]! < 100.1, `p50 from the histogram: ${measured[1]}`)
  assert.deepEqual(measured.slice(2), [200, 100, 300, 100, 0.5, 4, 1])
  assert.deepEqual(figures(result(0), all), [null, null, null, null, null, null, null, 4, 0])
  // Streams: ms from microseconds; an absent or empty distribution is not measured.
  const streams = result(2, { ttft: [100_000, 300_000] })
  assert.deepEqual(figures(streams, ['ttft_avg<1', 'ttft_min<1', 'ttft_max<1', 'ttft_p100<1', 'itl_avg<1', 'tpot_avg<1']), [200, 100, 300, 300, null, null])
  assert.deepEqual(figures(result(2), ['ttft_avg<1', 'goodput>1', 'tokens_per_s>1']), [null, null, null])
  // Not measured fails, whatever the operator.
  assert.deepEqual(evaluateThresholds(result(0), ['p99<1', 'avg>-1']).map((o) => o.passed), [false, false])
})

test('every operator at, below and above its bound', () => {
  const verdicts = (op: string) => ['avg' + op + '199', 'avg' + op + '200', 'avg' + op + '201'].map((t) => evaluateThresholds(result(2), [t])[0]!.passed)
  assert.deepEqual(verdicts('<'), [false, false, true])
  assert.deepEqual(verdicts('<='), [false, true, true])
  assert.deepEqual(verdicts('>'), [true, false, false])
  assert.deepEqual(verdicts('>='), [true, true, false])
  assert.deepEqual(verdicts('=='), [false, true, false])
})
