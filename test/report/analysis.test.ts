// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeHistogram, newHistogram } from '../../src/load/histogram.js'
import {
  achievedThroughput, analyzeVariant, averageUsers, cpuMsInWindow, idealThroughput, lowLoadServiceSec, waitModel
} from '../../src/report/bench/analysis.js'
import {
  machineBusy, metricsSeries, START_MS, steadyProcess, syntheticMeta, syntheticResult, syntheticSamples
} from './helpers/synthetic.js'

const near = (actual: number | null, expected: number, tolerance: number, what = 'value') => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`)
}

test('waitModel follows Locust: between is its mean, pacing and throughput set the cycle', () => {
  assert.deepEqual(waitModel('between:1,2'), { meanSec: 1.5, pacingSec: null })
  assert.deepEqual(waitModel('constant:0.5'), { meanSec: 0.5, pacingSec: null })
  assert.deepEqual(waitModel('pacing:3'), { meanSec: 0, pacingSec: 3 })
  assert.deepEqual(waitModel('throughput:2'), { meanSec: 0, pacingSec: 0.5 })
  assert.deepEqual(waitModel('none'), { meanSec: 0, pacingSec: null })
  assert.equal(idealThroughput(100, 1, waitModel('pacing:4')), 25)
  assert.equal(idealThroughput(100, 5, waitModel('pacing:4')), 20)
})

test("the ramp-averaged ideal reproduces the study's limits: 166.7 req/s at 500 users and 303 at 1000", () => {
  const archived = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 181.8, medianMs: 1250 })
  near(averageUsers(archived), 458.33, 0.01, 'average users (500, spawn 50, 60 s)')
  near(idealThroughput(averageUsers(archived), 1.25, waitModel('between:1,2')), 166.67, 0.01, 'ideal')
  const study = syntheticResult({ users: 1000, spawnRate: 10, runTimeSec: 300, rps: 363.6, medianMs: 1250 })
  near(idealThroughput(averageUsers(study), 1.25, waitModel('between:1,2')), 303.03, 0.01, 'ideal of the study run')
})

test('requests that finish in the drain after the run time are not credited to the users', () => {
  const result = syntheticResult({ users: 100, spawnRate: 100, runTimeSec: 10, rps: 50, medianMs: 1000 })
  const inRun = achievedThroughput(result)
  result.history.push({ ...result.history.at(-1)!, t: START_MS / 1000 + 10.8, requests: 40, rps: 50 })
  assert.equal(achievedThroughput(result), inRun)
  near(inRun, 50, 0.01, 'achieved')
})

test('CPU time in a window is interpolated between samples; a process first seen inside counts from zero', () => {
  const series = { role: 'server' as const, service: 's', label: 's', pid: 1, samples: [
    { t: 10, cpuMs: 0, cpuPercent: 0, rssBytes: 0 }, { t: 11, cpuMs: 100, cpuPercent: 10, rssBytes: 0 },
    { t: 12, cpuMs: 300, cpuPercent: 20, rssBytes: 0 }
  ] }
  assert.equal(cpuMsInWindow(series, { start: 10.5, end: 11.5 }), 150)
  assert.equal(cpuMsInWindow(series, { start: 9, end: 20 }), 300)
  assert.equal(lowLoadServiceSec([2000, 1250, 1260, 1240]), 1.25)
})

test('healthy: at the ideal with small overheads, the verdict quotes the measured figures', () => {
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 181.82, medianMs: 1254, p99Ms: 1270 })
  const samples = syntheticSamples({
    processes: [steadyProcess('server', 'static-async', 3, 61), steadyProcess('service', 'mock', 5, 61), steadyProcess('generator', 'generator', 25, 61)],
    machine: machineBusy(61, 30)
  })
  const a = analyzeVariant(syntheticMeta('static-async', 'async'), result, samples)
  near(a.idealRps, 166.67, 0.01, 'ideal')
  near(a.percentOfIdeal, 100, 1.5, '% of ideal')
  near(a.medianOverheadMs, 4, 1e-9, 'median overhead')
  near(a.p99OverheadMs, 20, 1e-9, 'p99 overhead')
  // 3% of a core = 30 ms of CPU per second, over the 60.8 s from start to end.
  near(a.cpu.serverMsPerRequest, (30 * 60.8) / result.aggregated.requests, 0.001, 'server CPU per request')
  assert.equal(a.verdict.kind, 'healthy')
  assert.match(a.verdict.text, /^healthy: (99|100|101)\.\d% of the ideal 166\.7 req\/s, median overhead 4\.0 ms, p99 overhead 20\.0 ms, no failures, 0\.18 ms of server CPU per request$/)
})

test('pool capacity = workers x threads / run time: 64 run slots over a 1.26 s run hold 50.8 req/s', () => {
  // The sync server at its capacity: every slot taken, runs queueing for a slot, threads started on demand.
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 50, medianMs: 7400, p99Ms: 8600 })
  const samples = syntheticSamples({
    processes: [steadyProcess('server', 'static-sync', 20, 61)],
    metrics: metricsSeries(60, (i) => ({
      poolRunSlots: 64, poolRuns: 64, poolRunsWaiting: Math.min(i * 7, 360), poolThreads: 100 + (i % 5), poolThreadsMax: 192,
      poolRunning: 88, poolQueue: 0, runsInProgress: 64 + Math.min(i * 7, 360)
    })),
    machine: machineBusy(61, 40)
  })
  const meta = syntheticMeta('static-sync', 'pool_threads', { workers: 8, threads: 8, maxConcurrency: 0, warmupMs: [1400, 1262, 1258, 1260] })
  const a = analyzeVariant(meta, result, samples)
  assert.equal(a.pool!.runSlots, 64)
  near(a.pool!.runTimeSec, 1.26, 1e-9, 'run time: the warm-up median, the first request left out')
  near(a.pool!.capacityRps, 64 / 1.26, 1e-9, 'pool capacity')
  assert.equal(a.pool!.fullShare, 1)
  assert.equal(a.pool!.runsWaitingMax, 360)
  assert.equal(a.pool!.threadsPeak, 104)
  assert.equal(a.pool!.threadsMax, 192)
  assert.equal(a.verdict.kind, 'backpressure')
  const achieved = a.achievedRps.toFixed(2)
  const ofCapacity = Math.round((a.achievedRps / (64 / 1.26)) * 100)
  assert.equal(a.verdict.text, 'backpressure: all 64 run slots (8 workers x 8 threads) taken 100% of the time (100% on average), ' +
    `runs waiting for a slot grew to 360, runs in progress to 424; median wait 6.15 s; ${achieved} req/s against a pool capacity ` +
    `of 50.79 req/s (64 runs at once / 1.26 s per run; ${ofCapacity}% of it), ${Math.round(a.percentOfIdeal!)}% of the ideal 166.7 req/s`)
  // Without a warm-up the declared service time stands for the run time.
  const declared = analyzeVariant({ ...meta, warmupMs: [] }, result, samples)
  near(declared.pool!.capacityRps, 64 / 1.25, 1e-9, 'capacity from the declared service time')
})

test('a bench recorded before run slots existed gets no pool capacity rather than a wrong one', () => {
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 41, medianMs: 8200, p99Ms: 25000 })
  const samples = syntheticSamples({
    metrics: metricsSeries(60, (i) => ({ poolThreads: 64, poolRunning: 64, poolQueue: i * 7, runsInProgress: i * 8 }))
  })
  const a = analyzeVariant(syntheticMeta('static-sync', 'pool_threads', { workers: 8, threads: 8, maxConcurrency: 0 }), result, samples)
  assert.equal(a.pool, null)
  assert.equal(a.verdict.kind, 'backpressure')
  assert.match(a.verdict.text, /^backpressure: runs in progress grew to 480, median wait 6\.95 s on top of a 1\.25 s service time; /)
})

test('admission: 503s are counted, their share given, and tied to the server\'s rejection counter', () => {
  const errors = [{ method: 'POST', name: '/score', kind: 'http' as const, status: 503, error: "HTTPError('503 Server Error')", occurrences: 1500 }]
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 36, medianMs: 1400, errors })
  const samples = syntheticSamples({
    metrics: metricsSeries(60, (i) => ({ poolRunSlots: 64, poolRuns: 64, poolThreads: 90, runsInProgress: 64, rejectedTotal: i * 25 }))
  })
  const a = analyzeVariant(syntheticMeta('static-sync-admission', 'pool_threads', { workers: 8, threads: 8 }), result, samples)
  assert.equal(a.verdict.kind, 'admission')
  const share = ((1500 / result.aggregated.requests) * 100).toFixed(1)
  // The warm-up measured 1.252 s per run: 64 slots hold 51.12 req/s.
  assert.match(a.verdict.text, new RegExp(`^admission: 1,500 requests \\(${share}%\\) answered 503 with Retry-After at once instead of queueing; the [\\d,]+ admitted were served at \\d+\\.\\d+ req/s against a pool capacity of 51\\.12 req/s \\(64 runs at once / 1\\.25 s per run; \\d+% of it\\), their median overhead 150 ms, at most 64 runs in progress$`))
  assert.equal(a.errors.length, 1)
  assert.match(a.errors[0]!.text, /^503: 1,500 \(\d+\.\d\d% of requests\); the server's admission control rejected them at once with Retry-After \(it counted 1,500 rejections\)/)
})

test('admission: overheads are those of the admitted requests, the fast 503s taken out of the histogram', () => {
  const errors = [{ method: 'POST', name: '/score', kind: 'http' as const, status: 503, error: "HTTPError('503 Server Error')", occurrences: 3000 }]
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 60, medianMs: 2, errors })
  // 3,000 refusals answered in 2 ms, 1,000 admitted runs answered in 3,000 ms (+ up to 99 ms).
  const hist = newHistogram()
  for (let i = 0; i < 3000; i++) hist.recordValue(2000)
  for (let i = 0; i < 1000; i++) hist.recordValue(3_000_000 + i * 99)
  result.aggregated = { ...result.aggregated, requests: 4000, failures: 3000 }
  result.histograms = { Aggregated: encodeHistogram(hist) }
  const a = analyzeVariant(syntheticMeta('static-sync-admission', 'pool_threads', { workers: 8, threads: 8 }), result)
  assert.equal(a.verdict.kind, 'admission')
  // Served median = 3,000 + ~49.5 ms; service time 1.25 s: overhead ~1,800 ms, not 2 - 1,250.
  assert.ok(a.medianOverheadMs! > 1790 && a.medianOverheadMs! < 1810, String(a.medianOverheadMs))
  assert.ok(a.p99OverheadMs! > 1840 && a.p99OverheadMs! < 1860, String(a.p99OverheadMs))
  assert.match(a.verdict.text, /their median overhead 1,(79|80)\d ms/)
})

test('machine-bound: busy cores while below the ideal, with each process group\'s share', () => {
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 150, medianMs: 1500 })
  const samples = syntheticSamples({
    processes: [steadyProcess('server', 'static-async', 120, 61), steadyProcess('service', 'mock', 20, 61), steadyProcess('generator', 'generator', 40, 61)],
    machine: machineBusy(61, 97)
  })
  const a = analyzeVariant(syntheticMeta('static-async', 'async'), result, samples)
  assert.equal(a.verdict.kind, 'machine-bound')
  assert.match(a.verdict.text, /^machine-bound: the 2 cores were 97% busy \(this bench's processes 90%\): server 120% of a core, other services 20%, generator 40%; 8\d% of the ideal 166\.7 req\/s$/)
})

test('generator-bound: a saturated generator is named before anything else it could hide', () => {
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 120, medianMs: 1300, saturated: true })
  const a = analyzeVariant(syntheticMeta('x', 'async'), result, syntheticSamples({ processes: [steadyProcess('generator', 'generator', 95, 61)] }))
  assert.equal(a.verdict.kind, 'generator-bound')
  assert.equal(a.verdict.text, 'generator-bound: the load generator used up to 99% of a core (95% on average); the figures may be its limit, not the server\'s')
})

test('a generator busy for one second of a run that reached its ideal is not generator-bound', () => {
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 200, medianMs: 1001, p99Ms: 1050, generatorCpuMax: 109 })
  const a = analyzeVariant(syntheticMeta('test-mock', 'direct', { declaredServiceTimeSec: 1 }), result)
  assert.equal(a.verdict.kind, 'healthy')
  const short = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 120, medianMs: 1300, generatorCpuMax: 109 })
  const b = analyzeVariant(syntheticMeta('test-mock', 'direct', { declaredServiceTimeSec: 1 }), short)
  assert.equal(b.verdict.kind, 'generator-bound')
})

test('failing: connection resets are counted and explained as Locust would show them', () => {
  const errors = [{ method: 'POST', name: '/score', kind: 'reset' as const, error: 'ConnectionResetError(104)', occurrences: 33 }]
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 181.82, medianMs: 1260, errors })
  const a = analyzeVariant(syntheticMeta('x', 'async'), result)
  assert.equal(a.verdict.kind, 'failing')
  assert.equal(a.verdict.text, `failing: 33 reset (${((33 / result.aggregated.requests) * 100).toFixed(2)}% of requests)`)
  assert.match(a.errors[0]!.text, /^reset: 33 \(0\.\d\d% of requests\); connection reset .*ConnectionResetError\(104\)/)
})

test('below ideal with nothing saturated says so; no requests gives no verdict', () => {
  const slow = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 140, medianMs: 1300 })
  const a = analyzeVariant(syntheticMeta('x', 'async'), slow, syntheticSamples({ machine: machineBusy(61, 30) }))
  assert.equal(a.verdict.kind, 'below-ideal')
  assert.match(a.verdict.text, /^below ideal: \d\d\.\d% of the ideal 166\.7 req\/s with 0 failures, median overhead 50\.0 ms; machine 30% busy; no saturated resource was measured$/)
  const empty = syntheticResult({ users: 5, spawnRate: 5, runTimeSec: 3, rps: 0, medianMs: 0 })
  const b = analyzeVariant(syntheticMeta('y', 'external', { declaredServiceTimeSec: undefined, warmupMs: [] }), empty)
  assert.deepEqual(b.verdict, { kind: 'no-data', text: 'no verdict: no requests were recorded' })
})

test('without a declared service time the warm-up median is used', () => {
  const result = syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 181.82, medianMs: 1262 })
  const a = analyzeVariant(syntheticMeta('x', 'async', { declaredServiceTimeSec: undefined, warmupMs: [1900, 1260, 1258, 1262] }), result)
  assert.equal(a.serviceTimeSource, 'warm-up')
  near(a.serviceTimeSec, 1.26, 1e-9, 'service time')
  near(a.medianOverheadMs, 2, 1e-6, 'median overhead')
})
