// The capacity search's SLOs: --slo parses as --threshold does but names --slo, refuses the stream
// figures a step cannot judge, and turns each outcome into the margin the search interpolates on
// (negative inside the bound, positive past it, in units of the bound or of the headroom over the
// service time). Pure: outcomes are written by hand.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isLatencyBound, latencyBoundMs, margin, parseSlo, worstSlo } from '../../src/capacity/slo.js'
import type { ThresholdOutcome } from '../../src/load/index.js'

function usageError(text: string, message: string): void {
  assert.throws(() => parseSlo(text), { name: 'UsageError', message, details: { flag: '--slo' } }, text)
}

test('--slo: the threshold grammar, its errors naming --slo', () => {
  assert.deepEqual(parseSlo('p99<1500'), { text: 'p99<1500', metric: 'percentile', percentile: 99, op: '<', value: 1500 })
  assert.deepEqual(parseSlo('ttft_p99<500').stream, { metric: 'ttft', stat: 'percentile' })
  assert.deepEqual(parseSlo('itl_avg<=50').stream, { metric: 'itl', stat: 'avg' })
  assert.equal(parseSlo('goodput>0.9').metric, 'goodput')
  usageError('p99<x', 'invalid --slo "p99<x": expected METRIC OP VALUE, e.g. p95<2000, avg<1500, fail_ratio<0.01, rps>=200 ' +
    '(metrics: p50..p100, avg, min, max, med, fail_ratio, rps, failures; streams: ttft_, itl_ with ' +
    'p50..p100, avg, min, max, and goodput, tokens_per_s; operators: < <= > >= ==)')
  usageError('p0<5', 'invalid --slo "p0<5": percentile 0 is outside 0 < p <= 100')
  usageError('ttft_p101<5', 'invalid --slo "ttft_p101<5": percentile 101 is outside 0 < p <= 100')
  usageError('rps<5%', 'invalid --slo "rps<5%": "%" applies to fail_ratio only')
})

test('--slo refuses the stream figures kept for a whole run only, naming each as the user knows it', () => {
  const tail = 'is kept for a whole run only; SLOs on streams: ttft_ and itl_ (p50..p100, avg, min, max), goodput, tokens_per_s'
  usageError('e2e_p99<5000', `invalid --slo "e2e_p99<5000": a step is judged on its steady seconds, and e2e ${tail}`)
  usageError('tpot_p50<20', `invalid --slo "tpot_p50<20": a step is judged on its steady seconds, and tpot ${tail}`)
  usageError('ttfb_max<100', `invalid --slo "ttfb_max<100": a step is judged on its steady seconds, and ttfb ${tail}`)
})

test('latency bounds: response-time metrics under < or <=; the tightest one', () => {
  const bounds = ['p99<1500', 'avg<=800', 'med<900', 'max<3000', 'min<200'].map(parseSlo)
  assert.deepEqual(bounds.map(isLatencyBound), [true, true, true, true, true])
  const others = ['p99>10', 'p99>=10', 'p99==10', 'rps<100', 'fail_ratio<0.01', 'ttft_p99<500', 'failures<=0'].map(parseSlo)
  assert.deepEqual(others.map(isLatencyBound), [false, false, false, false, false, false, false])
  assert.equal(latencyBoundMs([...others, ...bounds]), 200)
  assert.equal(latencyBoundMs(['p99<1500', 'avg<=800', 'fail_ratio<0.01'].map(parseSlo)), 800)
  assert.equal(latencyBoundMs(others), null)
  assert.equal(latencyBoundMs([]), null)
})

const outcome = (text: string, actual: number | null, passed: boolean): ThresholdOutcome => ({ threshold: parseSlo(text), actual, passed })

test('margin: how far past the bound, in units of the bound', () => {
  const cases: Array<[string, number | null, boolean, number | null, number]> = [
    // text, measured, passed, service ms, margin
    ['p99<1000', 1500, false, null, 0.5],
    ['p99<1000', 800, true, null, -0.2],
    ['avg<=1000', 1200, false, null, 0.2],
    ['rps>=200', 150, false, null, 0.25],
    ['rps>200', 300, true, null, -0.5],
    ['fail_ratio==0', 0.02, false, null, 0.02], // a bound of 0 counts in units of 1
    ['failures==10', 13, false, null, 0.3],
    ['rps>-20', -30, false, null, 0.5], // a negative bound's unit is its size
    ['p99<1000', null, false, null, Infinity] // nothing measured
  ]
  for (const [text, actual, passed, service, expected] of cases) {
    assert.equal(margin(outcome(text, actual, passed), service), expected, `${text} measured ${actual}`)
  }
})

test('margin: a response-time bound above the service time counts in the headroom it leaves', () => {
  // p99<1100 over a 1,000 ms service: 100 ms of headroom; 1,150 ms is half of it past the bound.
  assert.equal(margin(outcome('p99<1100', 1150, false), 1000), 0.5)
  assert.equal(margin(outcome('p99<=1100', 1050, true), 1000), -0.5)
  // A bound at or below the service time, or a bound that is not on response time, counts in itself.
  assert.equal(margin(outcome('p99<1000', 1500, false), 1000), 0.5)
  assert.equal(margin(outcome('p99<800', 1200, false), 1000), 0.5)
  assert.equal(margin(outcome('p99>1100', 550, false), 1000), 0.5)
  assert.equal(margin(outcome('rps<1100', 1650, false), 1000), 0.5)
})

test("margin: the sign follows the verdict at the bound itself", () => {
  // p99<1500 measured 1500 fails: just past, not at, the bound; p99<=1500 measured 1500 passes: just inside.
  assert.equal(margin(outcome('p99<1500', 1500, false), null), 1e-9)
  assert.equal(margin(outcome('p99<=1500', 1500, true), null), -1e-9)
  assert.equal(margin(outcome('failures==0', 0, true), null), -1e-9)
})

test('the worst SLO of a step is the one furthest past (or closest to) its bound; none gives -Infinity', () => {
  const a = outcome('p99<1000', 800, true) // -0.2
  const b = outcome('fail_ratio<0.1', 0.12, false) // 0.2
  const c = outcome('rps>=100', 150, true) // -0.5
  assert.deepEqual(worstSlo([a, b, c], null), { margin: margin(b, null), worst: b })
  assert.deepEqual(worstSlo([c, a], null), { margin: -0.2, worst: a })
  // Ties keep the first.
  const a2 = outcome('p99<2000', 1600, true)
  assert.equal(worstSlo([a, a2], null).worst, a)
  const unmeasured = outcome('p99<1000', null, false)
  assert.deepEqual(worstSlo([b, unmeasured], null), { margin: Infinity, worst: unmeasured })
  assert.deepEqual(worstSlo([], null), { margin: -Infinity, worst: null })
})
