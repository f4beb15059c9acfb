// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseDuration, parseThreshold, parseWait, waitSeconds } from '../../src/load/index.js'
import { arrivalTime, arrivalsBy } from '../../src/load/open.js'
import { shares, splitPlan } from '../../src/load/processes.js'
import { resolveOptions } from '../../src/load/options.js'

test('parseDuration accepts Locust units and combinations', () => {
  assert.equal(parseDuration('90'), 90)
  assert.equal(parseDuration('30s'), 30)
  assert.equal(parseDuration('5m'), 300)
  assert.equal(parseDuration('1h30m'), 5400)
  assert.equal(parseDuration('1.5s'), 1.5)
  assert.equal(parseDuration('500ms'), 0.5)
})

test('parseDuration rejects bad syntax naming the flag', () => {
  for (const bad of ['', 'abc', '5x', '0s', '-1m']) {
    assert.throws(() => parseDuration(bad), {
      name: 'UsageError',
      message: `invalid --run-time "${bad}": expected a duration like 30s, 5m, 1h30m or 90 (seconds)`
    })
  }
})

test('parseWait understands every Locust wait_time', () => {
  assert.deepEqual(parseWait('between:1,2'), { kind: 'between', min: 1, max: 2 })
  assert.deepEqual(parseWait('constant:0.5'), { kind: 'constant', seconds: 0.5 })
  assert.deepEqual(parseWait('throughput:2'), { kind: 'throughput', perSecond: 2 })
  assert.deepEqual(parseWait('constant_pacing:3'), { kind: 'pacing', seconds: 3 })
  assert.deepEqual(parseWait('none'), { kind: 'none' })
})

test('parseWait errors name --wait and say what is wrong', () => {
  assert.throws(() => parseWait('sometimes'), { message: 'invalid --wait "sometimes": expected between:MIN,MAX, constant:S, throughput:R, pacing:S or none' })
  assert.throws(() => parseWait('between:2,1'), { message: 'invalid --wait "between:2,1": between\'s MIN (2) is greater than its MAX (1)' })
  assert.throws(() => parseWait('between:1'), { message: 'invalid --wait "between:1": between takes two numbers of seconds, MIN,MAX (e.g. between:1,2)' })
  assert.throws(() => parseWait('throughput:0'), { message: 'invalid --wait "throughput:0": throughput takes a positive number of tasks per second per user (e.g. throughput:2)' })
  assert.throws(() => parseWait('gauss:1'), { message: 'invalid --wait "gauss:1": unknown wait "gauss": expected between, constant, throughput, pacing or none' })
})

test('wait math matches Locust', () => {
  const between = parseWait('between:1,3')
  assert.equal(waitSeconds(between, 0, () => 0), 1)
  assert.equal(waitSeconds(between, 0, () => 0.5), 2)
  assert.equal(waitSeconds(between, 0, () => 0.999), 1 + 0.999 * 2)
  assert.equal(waitSeconds(parseWait('constant:1.5'), 10), 1.5)
  // constant_pacing(3): a 1 s task waits 2 s; a 4 s task does not wait.
  assert.equal(waitSeconds(parseWait('pacing:3'), 1), 2)
  assert.equal(waitSeconds(parseWait('pacing:3'), 4), 0)
  // constant_throughput(2) = pacing 0.5 s.
  assert.equal(waitSeconds(parseWait('throughput:2'), 0.2), 0.3)
  assert.equal(waitSeconds(parseWait('throughput:2'), 0.7), 0)
  assert.equal(waitSeconds(parseWait('none'), 0), 0)
})

test('parseThreshold reads metrics, operators and units', () => {
  assert.deepEqual(parseThreshold('p95<2000'), { text: 'p95<2000', metric: 'percentile', percentile: 95, op: '<', value: 2000 })
  assert.deepEqual(parseThreshold('p99.9 <= 3s'), { text: 'p99.9 <= 3s', metric: 'percentile', percentile: 99.9, op: '<=', value: 3000 })
  assert.equal(parseThreshold('fail_ratio<1%').value, 0.01)
  assert.equal(parseThreshold('rps>=200').metric, 'rps')
  assert.equal(parseThreshold('failures==0').op, '==')
  assert.equal(parseThreshold('med<5').metric, 'med')
})

test('parseThreshold rejects bad syntax naming --threshold', () => {
  assert.throws(() => parseThreshold('p95 about 2000'), {
    name: 'UsageError',
    message: 'invalid --threshold "p95 about 2000": expected METRIC OP VALUE, e.g. p95<2000, avg<1500, fail_ratio<0.01, rps>=200 ' +
      '(metrics: p50..p100, avg, min, max, med, fail_ratio, rps, failures; streams: ttft_, itl_, tpot_, e2e_, ttfb_ with p50..p100, avg, min, max, ' +
      'and goodput, tokens_per_s; operators: < <= > >= ==)'
  })
  assert.throws(() => parseThreshold('rps>2s'), { message: 'invalid --threshold "rps>2s": "s" is a time unit but rps is not a time' })
  assert.throws(() => parseThreshold('p101<5'), { message: 'invalid --threshold "p101<5": percentile 101 is outside 0 < p <= 100' })
})

test('open-loop arrivals: constant rate and a linear ramp', () => {
  assert.equal(arrivalsBy(2, 10, 10, 10), 20)
  assert.equal(arrivalTime(20, 10, 10, 10), 2)
  // 10 -> 30 req/s over 10 s: 200 arrivals in all; the inverse gives back the times.
  assert.equal(arrivalsBy(10, 10, 30, 10), 200)
  for (const n of [0, 1, 50, 199]) assert.ok(Math.abs(arrivalsBy(arrivalTime(n, 10, 30, 10), 10, 30, 10) - n) < 1e-6)
})

test('processes split users, spawn rate and rate into shares that add up', () => {
  assert.deepEqual(shares(10, 3), [4, 3, 3])
  const plan = resolveOptions({ url: 'http://127.0.0.1:1/', users: 10, spawnRate: 5, processes: 3 })
  const parts = splitPlan(plan, 3)
  assert.deepEqual(parts.map((p) => p.config.users), [4, 3, 3])
  assert.equal(parts.reduce((a, p) => a + p.config.spawnRate, 0), 5)
  assert.deepEqual(parts.map((p) => p.idOffset), [0, 4, 7])
})
