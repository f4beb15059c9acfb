// A step's statistics leave its ramp out: only the whole history windows after spawn + settle and up to
// the run time count, with exact percentiles from their histograms; the SLOs are judged on them.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { stepFigures } from '../../src/capacity/steady.js'
import { parseSlo } from '../../src/capacity/slo.js'
import { evaluateThresholds } from '../../src/load/index.js'
import { decodeHistogram, newHistogram, percentileMs } from '../../src/load/histogram.js'
import { averageUsers } from '../../src/report/bench/analysis.js'
import { recordedRun, spread, type RecordedSecond } from './helpers/recorded.js'

const START_MS = 1_700_000_000_300
const FIRST_T = 1_700_000_001

/** 6 ramp seconds (users spawning, slow answers, some 503s), a half-ramp second, 13 steady ones, a drain second. */
function run() {
  const seconds: RecordedSecond[] = []
  for (let i = 0; i < 6; i++) seconds.push({ users: Math.min(50, 10 * (i + 1)), ok: spread(10, 4000, 5000), refused: [1, 1] })
  seconds.push({ users: 50, ok: spread(100, 2900, 3000) })
  for (let i = 7; i < 20; i++) seconds.push({ users: 50, ok: spread(100, 100, 199), refused: i === 10 ? [1, 1, 1] : [] })
  seconds.push({ users: 50, ok: [9000] })
  return recordedRun(START_MS, 20, seconds)
}

test('step statistics: ramp and drain windows are left out, percentiles stay exact', () => {
  const result = run()
  const slos = ['p99<250', 'fail_ratio<0.01', 'max<1000'].map(parseSlo)
  const f = stepFigures(result, 6, slos, 100)
  // The ramp ends at start + 6.3 s: the window ending at FIRST_T + 6 began before it and is out.
  assert.equal(f.from, FIRST_T + 6)
  assert.equal(f.to, START_MS / 1000 + 20)
  assert.equal(f.windows, 13)
  assert.deepEqual(f.steady.history.map((p) => p.t), Array.from({ length: 13 }, (_, i) => FIRST_T + 7 + i))
  assert.equal(f.steady.aggregated.requests, 1303)
  assert.equal(f.steady.aggregated.failures, 3)
  assert.deepEqual(f.steady.errors.map((e) => [e.status, e.occurrences]), [[503, 3]])
  // The same figures recomputed from the steady windows' own histograms.
  const h = newHistogram()
  for (const p of result.history.slice(7, 20)) h.add(decodeHistogram(p.histogram!))
  assert.equal(f.p99Ms, percentileMs(h, 99))
  assert.equal(f.p50Ms, percentileMs(h, 50))
  assert.ok(f.steady.aggregated.maxMs < 200, `max ${f.steady.aggregated.maxMs}`)
  assert.equal(f.achievedRps, 1300 / 13)
  assert.equal(averageUsers(f.steady), 50)
  assert.deepEqual(f.outcomes.map((o) => o.passed), [true, true, true])
  assert.equal(f.passed, true)
  assert.ok(f.margin < 0)
  // Over the whole run the ramp's slow answers break every one of these SLOs.
  assert.deepEqual(evaluateThresholds(result, slos).map((o) => o.passed), [false, false, false])
})

test('a step with fewer than three steady windows judges nothing: it fails with an unmeasured margin', () => {
  const f = stepFigures(run(), 17, [parseSlo('p99<250')], 100)
  assert.equal(f.windows, 2)
  assert.equal(f.passed, false)
  assert.equal(f.margin, Infinity)
})

test('three steady windows are enough to judge a step; every SLO must hold', () => {
  const three = stepFigures(run(), 16, [parseSlo('p99<250')], 100)
  assert.equal(three.windows, 3)
  assert.equal(three.passed, true)
  assert.ok(three.margin < 0)
  // The steady answers take 100-199 ms: max<150 fails while p99<250 holds.
  const one = stepFigures(run(), 6, ['p99<250', 'max<150'].map(parseSlo), 100)
  assert.deepEqual(one.outcomes.map((o) => o.passed), [true, false])
  assert.equal(one.passed, false)
  assert.ok(one.margin > 0)
})

test('steady windows without a single request judge nothing', () => {
  const seconds: RecordedSecond[] = []
  for (let i = 0; i < 6; i++) seconds.push({ users: 10, ok: spread(10, 100, 200) })
  for (let i = 6; i < 20; i++) seconds.push({ users: 10, ok: [] })
  const f = stepFigures(recordedRun(START_MS, 20, seconds), 6, [parseSlo('failures<1')], 100)
  assert.ok(f.windows >= 3, `${f.windows} windows`)
  assert.equal(f.steady.aggregated.requests, 0)
  assert.equal(f.passed, false)
  assert.equal(f.margin, Infinity)
  assert.equal(f.p99Ms, null)
})
