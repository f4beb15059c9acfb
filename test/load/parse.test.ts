// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseCount, parseDuration, parseHeader, parsePositive, parseRate, parseSeconds, parseThreshold, parseWait, waitSeconds } from '../../src/load/index.js'
import { arrivalTime, arrivalsBy } from '../../src/load/open.js'
import { shares, splitPlan } from '../../src/load/processes.js'
import { resolveOptions } from '../../src/load/options.js'
import type { UsageError } from '../../src/errors.js'

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

test('parseThreshold: every metric, operator and unit, and the stream statistics with their aliases', () => {
  const metricOf = (text: string) => {
    const t = parseThreshold(text)
    return [t.metric, t.op, t.value, t.percentile, t.stream]
  }
  assert.deepEqual(metricOf(' avg < 1.5s '), ['avg', '<', 1500, undefined, undefined])
  assert.deepEqual(metricOf('min>=10ms'), ['min', '>=', 10, undefined, undefined])
  assert.deepEqual(metricOf('max>5'), ['max', '>', 5, undefined, undefined])
  assert.deepEqual(metricOf('fail_ratio<=0.5'), ['fail_ratio', '<=', 0.5, undefined, undefined])
  assert.deepEqual(metricOf('failures>-1'), ['failures', '>', -1, undefined, undefined])
  assert.deepEqual(metricOf('goodput>=2.5'), ['goodput', '>=', 2.5, undefined, undefined])
  assert.deepEqual(metricOf('tokens_per_s==100'), ['tokens_per_s', '==', 100, undefined, undefined])
  assert.deepEqual(metricOf('p100<9'), ['percentile', '<', 9, 100, undefined])
  assert.deepEqual(metricOf('ttft_p99.9<2s'), ['stream', '<', 2000, 99.9, { metric: 'ttft', stat: 'percentile' }])
  assert.deepEqual(metricOf('itl_med<30'), ['stream', '<', 30, 50, { metric: 'itl', stat: 'percentile' }])
  assert.deepEqual(metricOf('tpot_median<30'), ['stream', '<', 30, 50, { metric: 'tpot', stat: 'percentile' }])
  assert.deepEqual(metricOf('e2e_mean<5s'), ['stream', '<', 5000, undefined, { metric: 'e2el', stat: 'avg' }])
  assert.deepEqual(metricOf('e2el_avg<5000'), ['stream', '<', 5000, undefined, { metric: 'e2el', stat: 'avg' }])
  assert.deepEqual(metricOf('ttfb_min>1'), ['stream', '>', 1, undefined, { metric: 'ttfb', stat: 'min' }])
  assert.deepEqual(metricOf('ttft_max<=800ms'), ['stream', '<=', 800, undefined, { metric: 'ttft', stat: 'max' }])
  assert.equal(parseThreshold('  p95 < 2000  ').text, 'p95 < 2000')
  assert.equal('percentile' in parseThreshold('ttft_avg<5'), false)
})

test('parseThreshold: units where they do not belong, and percentiles out of range', () => {
  const refused = (text: string, why: string) =>
    assert.throws(() => parseThreshold(text), { name: 'UsageError', message: `invalid --threshold "${text}": ${why}` })
  refused('rps>5%', '"%" applies to fail_ratio only')
  refused('p99<5%', '"%" applies to fail_ratio only')
  refused('failures<2ms', '"ms" is a time unit but failures is not a time')
  refused('fail_ratio<1s', '"s" is a time unit but fail_ratio is not a time')
  refused('goodput>1ms', '"ms" is a time unit but goodput is not a time')
  refused('p0<5', 'percentile 0 is outside 0 < p <= 100')
  refused('ttft_p100.5<5', 'percentile 100.5 is outside 0 < p <= 100')
  for (const text of ['p99', '<5', 'p99<', 'p99=5', 'p99<<5', 'ttft_p<5', 'ttft_avg_x<5', 'xp99<5', 'p99<5 ms x']) {
    assert.throws(() => parseThreshold(text), { name: 'UsageError', message: new RegExp(`^invalid --threshold "${text}": expected METRIC OP VALUE`) }, text)
  }
  assert.throws(() => parseThreshold('p0<5'), { name: 'UsageError', details: { flag: '--threshold' } })
})

test('parseHeader, parseCount and parsePositive: the values they take and the message naming the flag', () => {
  assert.deepEqual(parseHeader('Authorization:  Bearer a:b '), ['Authorization', 'Bearer a:b'])
  assert.deepEqual(parseHeader(' x-id :7'), ['x-id', '7'])
  assert.deepEqual(parseHeader('X-Empty:'), ['X-Empty', ''])
  for (const text of ['novalue', ': v', 'bad name: v', 'bad(name): v']) {
    assert.throws(() => parseHeader(text), { name: 'UsageError', message: `invalid --header "${text}": expected "Name: value"` }, text)
  }
  assert.equal(parseCount('5', '--users'), 5)
  assert.equal(parseCount(' 7 ', '--users'), 7)
  assert.equal(parseCount(3, '--users'), 3)
  assert.equal(parseCount('0', '--max-in-flight', 0), 0)
  assert.equal(parseCount('12', '--users'), 12)
  for (const text of ['5x', 'x5', '1 2']) {
    assert.throws(() => parseCount(text, '--users'), { message: `invalid --users "${text}": expected a whole number >= 1` }, text)
  }
  assert.throws(() => parseCount('0', '--users'), { name: 'UsageError', details: { flag: '--users' } })
  assert.throws(() => parseHeader('x'), { name: 'UsageError', details: { flag: '--header' } })
  assert.equal(parsePositive('1.25', '--rate'), 1.25)
  assert.equal(parseThreshold('p99.95<5').percentile, 99.95)
  assert.deepEqual(parseWait('between:12,20.75'), { kind: 'between', min: 12, max: 20.75 })
  for (const text of ['0', '1.5', 'x', '', '-2']) {
    assert.throws(() => parseCount(text, '--users'), { name: 'UsageError', message: `invalid --users "${text}": expected a whole number >= 1` }, text)
  }
  assert.throws(() => parseCount(2.5, '--processes', 1), { message: 'invalid --processes "2.5": expected a whole number >= 1' })
  assert.throws(() => parseCount(0, '--processes', 1), { message: 'invalid --processes "0": expected a whole number >= 1' })
  assert.equal(parsePositive('0.5', '--rate'), 0.5)
  assert.equal(parsePositive(' 20 ', '--rate'), 20)
  assert.equal(parsePositive(1e-3, '--rate'), 1e-3)
  for (const value of ['0', '-1', 'x', '1e3', '', 0, -1, Infinity, Number.NaN]) {
    assert.throws(() => parsePositive(value, '--timeout'), { name: 'UsageError', message: `invalid --timeout "${value}": expected a number > 0` }, String(value))
  }
  assert.throws(() => parsePositive('0', '--timeout'), { name: 'UsageError', details: { flag: '--timeout' } })
})

test('parseDuration and parseWait: the other spellings', () => {
  assert.equal(parseDuration('2m30s'), 150)
  assert.equal(parseDuration(' 1.5h '), 5400)
  assert.equal(parseDuration('1m500ms'), 60.5)
  assert.equal(parseDuration('1.25m'), 75)
  assert.equal(parseDuration(' 30s '), 30)
  assert.throws(() => parseDuration('5 m', '--ramp'), { name: 'UsageError', message: 'invalid --ramp "5 m": expected a duration like 30s, 5m, 1h30m or 90 (seconds)' })
  assert.throws(() => parseDuration('x', '--ramp'), { name: 'UsageError', details: { flag: '--ramp' } })
  assert.deepEqual(parseWait(' none '), { kind: 'none' })
  assert.deepEqual(parseWait('between:1.25,2'), { kind: 'between', min: 1.25, max: 2 })
  for (const text of ['between:1x,2', 'between:x1,2', 'between:1,2,3', 'between:1.,2']) {
    assert.throws(() => parseWait(text), { name: 'UsageError', message: `invalid --wait "${text}": between takes two numbers of seconds, MIN,MAX (e.g. between:1,2)` }, text)
  }
  assert.throws(() => parseWait(':1'), { message: 'invalid --wait ":1": unknown wait "": expected between, constant, throughput, pacing or none' })
  assert.throws(() => parseWait('x'), { name: 'UsageError', details: { flag: '--wait', reason: 'expected between:MIN,MAX, constant:S, throughput:R, pacing:S or none' } })
  assert.deepEqual(parseWait(' 0 '), { kind: 'none' })
  assert.deepEqual(parseWait('constant_throughput:0.5'), { kind: 'throughput', perSecond: 0.5 })
  assert.deepEqual(parseWait('pacing:3'), { kind: 'pacing', seconds: 3 })
  assert.deepEqual(parseWait(' between : 1 , 2.5 '), { kind: 'between', min: 1, max: 2.5 })
  assert.deepEqual(parseWait('between:2,2'), { kind: 'between', min: 2, max: 2 })
  assert.throws(() => parseWait('constant:x'), { message: 'invalid --wait "constant:x": constant takes one number of seconds (e.g. constant:1)' })
  assert.throws(() => parseWait('pacing:'), { message: 'invalid --wait "pacing:": pacing takes one number of seconds (e.g. pacing:3)' })
  assert.throws(() => parseWait('constant_pacing:1,2'), { message: 'invalid --wait "constant_pacing:1,2": pacing takes one number of seconds (e.g. pacing:3)' })
  assert.throws(() => parseWait('between:1,-2'), { message: 'invalid --wait "between:1,-2": between takes two numbers of seconds, MIN,MAX (e.g. between:1,2)' })
  assert.throws(() => parseWait('throughput:'), { message: 'invalid --wait "throughput:": throughput takes a positive number of tasks per second per user (e.g. throughput:2)' })
})

// A Node.js timer holds at most 2^31 - 1 ms; a longer delay fires after 1 ms, so `--run-time 1000h` ended
// at once and reported success. Every value that becomes a timer stops at 2147483 s.
test('run times, waits, timeouts and rates longer than a timer holds are refused, naming the flag and the limit', () => {
  const LIMIT = '2147483 s (24.8 days), the longest delay a Node.js timer holds'
  // A reason, where the error carries one, is the message's tail after the flag and the value: bench.yaml
  // shows it under its field's name.
  const refused = (fn: () => unknown, flag: string, message: string) =>
    assert.throws(fn, (err: UsageError) => {
      assert.deepEqual([err.name, err.message, err.details.flag], ['UsageError', message, flag])
      if (err.details.reason !== undefined) assert.equal(`: ${err.details.reason as string}`, message.slice(message.indexOf('": ') + 1))
      return true
    }, message)
  assert.equal(parseDuration('596h31m23s'), 2_147_483)
  refused(() => parseDuration('596h31m24s'), '--run-time', `invalid --run-time "596h31m24s": longer than ${LIMIT}`)
  refused(() => parseDuration('1000h', '--step-time'), '--step-time', `invalid --step-time "1000h": longer than ${LIMIT}`)
  assert.equal(parseDuration('1000h', '--run-time', Infinity), 3_600_000)
  assert.deepEqual(parseWait('constant:2147483'), { kind: 'constant', seconds: 2_147_483 })
  assert.deepEqual(parseWait('throughput:0.0000005'), { kind: 'throughput', perSecond: 5e-7 })
  refused(() => parseWait('constant:2147484'), '--wait', `invalid --wait "constant:2147484": a wait of 2147484 s is longer than ${LIMIT}`)
  refused(() => parseWait('between:1,3000000'), '--wait', `invalid --wait "between:1,3000000": a wait of 3000000 s is longer than ${LIMIT}`)
  refused(() => parseWait('pacing:2147484'), '--wait', `invalid --wait "pacing:2147484": a pacing of 2147484 s is longer than ${LIMIT}`)
  refused(() => parseWait('throughput:0.0000004'), '--wait', `invalid --wait "throughput:0.0000004": one task every 2500000 s is longer than ${LIMIT}`)
  assert.equal(parseSeconds('2147483', '--timeout'), 2_147_483)
  assert.equal(parseSeconds('0.5', '--timeout'), 0.5)
  refused(() => parseSeconds('2147484', '--timeout'), '--timeout', `invalid --timeout "2147484": longer than ${LIMIT}`)
  refused(() => parseSeconds('0', '--timeout'), '--timeout', 'invalid --timeout "0": expected a number > 0')
  assert.equal(parseRate('0.0000005', '--rate'), 5e-7)
  assert.equal(parseRate(5000, '--spawn-rate'), 5000)
  refused(() => parseRate('0.0000004', '--rate'), '--rate', `invalid --rate "0.0000004": one every 2500000 s is longer than ${LIMIT}`)
  refused(() => parseRate(1e-9, '--spawn-rate'), '--spawn-rate', `invalid --spawn-rate "1e-9": one every 1000000000 s is longer than ${LIMIT}`)
  refused(() => parseRate('-1', '--ramp-to'), '--ramp-to', 'invalid --ramp-to "-1": expected a number > 0')
  // The library's options go through the same checks: a run time in seconds, the timeout, the rates.
  const url = 'http://127.0.0.1:1/'
  refused(() => resolveOptions({ url, runTime: 3e6 }), '--run-time', `invalid --run-time "3000000": longer than ${LIMIT}`)
  refused(() => resolveOptions({ url, timeoutSec: 3e6 }), '--timeout', `invalid --timeout "3000000": longer than ${LIMIT}`)
  refused(() => resolveOptions({ url, spawnRate: 1e-7 }), '--spawn-rate', `invalid --spawn-rate "1e-7": one every 10000000 s is longer than ${LIMIT}`)
  refused(() => resolveOptions({ url, rate: 1e-7 }), '--rate', `invalid --rate "1e-7": one every 10000000 s is longer than ${LIMIT}`)
  refused(() => resolveOptions({ url, rate: 5, rampTo: 1e-7 }), '--ramp-to', `invalid --ramp-to "1e-7": one every 10000000 s is longer than ${LIMIT}`)
})
