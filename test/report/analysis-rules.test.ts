// The analysis rule by rule, on small synthetic runs whose figures are worked out by hand: the windows
// it measures in, CPU and memory per process group, the pool, each kind of error, and the exact text of
// every verdict in its variants (what is said when a measurement is missing, and at each threshold).
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeHistogram, newHistogram } from '../../src/load/histogram.js'
import {
  achievedThroughput, activeWindow, analyzeVariant, averageUsers, cpuMsInWindow, idealThroughput, lowLoadServiceSec, waitModel,
  type VariantAnalysis
} from '../../src/report/bench/analysis.js'
import type { ErrorEntry, LoadResult } from '../../src/load/result.js'
import type { MetricsSample, ProcessSeries } from '../../src/report/bench/data.js'
import { machineBusy, metricsSeries, START_MS, steadyProcess, syntheticMeta, syntheticResult, syntheticSamples } from './helpers/synthetic.js'

const S = START_MS / 1000
const MiB = 1048576

const near = (actual: number | null | undefined, expected: number, what: string, tolerance = 1e-9): void => {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected}, got ${actual}`)
}

/** 100 users from the first second, 50 successful requests a second for 10 s, 1 s median. */
function tenSeconds(extra: Partial<Parameters<typeof syntheticResult>[0]> = {}): LoadResult {
  return syntheticResult({ users: 100, spawnRate: 100, runTimeSec: 10, rps: 50, medianMs: 1000, ...extra })
}

const error = (kind: ErrorEntry['kind'], occurrences: number, status?: number): ErrorEntry =>
  ({ method: 'POST', name: '/score', kind, error: `${kind} error`, occurrences, ...(status === undefined ? {} : { status }) })

test('waitModel: an unreadable wait counts as none', () => {
  assert.deepEqual(waitModel('sometimes'), { meanSec: 0, pacingSec: null })
  assert.equal(idealThroughput(10, 0, waitModel('none')), Infinity, 'a cycle of no length')
  assert.equal(idealThroughput(0, 0, waitModel('none')), Infinity, 'even with no users')
  assert.equal(idealThroughput(10, 2, waitModel('constant:3')), 2)
})

test('the active window ends at the run time, or at the end when interrupted', () => {
  const r = tenSeconds()
  assert.deepEqual(activeWindow(r), { start: S, end: S + 10 })
  r.endedAt = START_MS + 7000
  assert.deepEqual(activeWindow(r), { start: S, end: S + 7 }, 'ended before its run time')
  r.endedAt = START_MS + 10_800
  r.interrupted = true
  assert.deepEqual(activeWindow(r), { start: S, end: S + 10.8 })
})

test('averageUsers: the area under the users curve over the active window', () => {
  const r = tenSeconds()
  // 0 -> 100 users in the first second (area 50), then 100 for 9 s (900): 950 / 10 s.
  near(averageUsers(r), 95, 'average users')
  r.history = []
  assert.equal(averageUsers(r), 100, 'no history: the configured users')
  const ramp = syntheticResult({ users: 40, spawnRate: 10, runTimeSec: 4, rps: 40, medianMs: 100 })
  // 10, 20, 30, 40 users at the ends of seconds 1-4: areas 5 + 15 + 25 + 35 = 80 over 4 s.
  near(averageUsers(ramp), 20, 'ramp')
  // A window ending 50 ms or less after the end still counts (timer slack); its length is clamped.
  ramp.history.push({ ...ramp.history.at(-1)!, t: S + 4 + 0.05, users: 1000 })
  near(averageUsers(ramp), 20, 'late point clamped to the end')
  // Only points after the window: nothing to average over.
  const late = syntheticResult({ users: 40, spawnRate: 10, runTimeSec: 4, rps: 40, medianMs: 100 })
  late.history = late.history.map((p) => ({ ...p, t: p.t + 10 }))
  assert.equal(averageUsers(late), 0)
})

test('achievedThroughput: successes in the active window over its length, from the history', () => {
  const r = tenSeconds({ errors: [error('reset', 20)] })
  // 500 successes (the 20 failures are extra requests in the last second) over 10 s.
  near(achievedThroughput(r), 50, 'achieved')
  r.history.push({ ...r.history.at(-1)!, t: S + 10 + 0.05, requests: 30, failures: 10 })
  near(achievedThroughput(r), 52, 'a point 50 ms late counts: 520 / 10 s')
  r.history.push({ ...r.history.at(-1)!, t: S + 10.2, requests: 100, failures: 0 })
  near(achievedThroughput(r), 52, 'a point 200 ms late does not')
  // No history inside the window: the whole run's successes over its duration.
  const none = tenSeconds({ errors: [error('reset', 40)] })
  none.history = []
  near(achievedThroughput(none), 500 / 10.8, 'fallback')
  none.durationSec = 0
  assert.equal(achievedThroughput(none), 0)
  const early = tenSeconds()
  early.history = [{ ...early.history[0]!, t: S }]
  assert.equal(achievedThroughput(early), 0, 'a window of no length')
})

test('lowLoadServiceSec: the median of the warm-up without its first request', () => {
  assert.equal(lowLoadServiceSec([]), null)
  assert.equal(lowLoadServiceSec([900]), 0.9, 'one request: kept')
  assert.equal(lowLoadServiceSec([5000, 1000, 3000]), 2, 'even count: the mean of the middle two')
  assert.equal(lowLoadServiceSec([5000, 3000, 1000, 2000]), 2, 'odd count, unsorted')
  assert.equal(lowLoadServiceSec([100, 1000, 1000]), 1, 'the cold first one is dropped even when fastest')
})

test('cpuMsInWindow: interpolated, clamped to the samples, repeated timestamps allowed', () => {
  const series: ProcessSeries = { role: 'server', service: 's', label: 's', pid: 1, samples: [
    { t: 10, cpuMs: 100, cpuPercent: 0, rssBytes: 0 }, { t: 12, cpuMs: 300, cpuPercent: 10, rssBytes: 0 },
    { t: 12, cpuMs: 500, cpuPercent: 10, rssBytes: 0 }, { t: 14, cpuMs: 600, cpuPercent: 20, rssBytes: 0 }
  ] }
  assert.equal(cpuMsInWindow(series, { start: 10, end: 11 }), 100, 'half way between 100 and 300 ms, less the first sample')
  assert.equal(cpuMsInWindow(series, { start: 9, end: 10 }), 100, 'first seen inside: counts from 0')
  assert.equal(cpuMsInWindow(series, { start: 10, end: 12 }), 200, 'at a sample time: that sample')
  assert.equal(cpuMsInWindow(series, { start: 13, end: 20 }), 50, 'after the last sample: the last value')
  assert.equal(cpuMsInWindow(series, { start: 14, end: 13 }), 0, 'never negative')
  assert.equal(cpuMsInWindow({ ...series, samples: [] }, { start: 0, end: 100 }), 0)
})

/** Two server processes, a mock and the generator over a 10.8 s run, with samples outside it. */
function cpuSamples() {
  const a = steadyProcess('server', 'primary', 50, 10, 100)
  const b = steadyProcess('server', 'worker', 30, 10, 50)
  a.samples.find((s) => s.t === S + 5)!.rssBytes = 200 * MiB
  // Outside the window (before its start, after its end + 0.5 s): not counted.
  b.samples.find((s) => s.t === S - 1)!.rssBytes = 10_000 * MiB
  b.samples.find((s) => s.t === S + 12)!.rssBytes = 10_000 * MiB
  const end = (START_MS + 10_800) / 1000
  const machine = [
    { t: S - 1, busyPercent: 100 }, { t: S, busyPercent: 70 }, ...machineBusy(11, 40).slice(1),
    { t: end + 0.5, busyPercent: 100 }, { t: end + 0.6, busyPercent: 100 }
  ]
  return syntheticSamples({
    processes: [a, b, steadyProcess('service', 'mock', 10, 10), steadyProcess('generator', 'generator', 20, 10)],
    machine
  })
}

test('CPU and memory per process group, over the load window only', () => {
  const r = tenSeconds()
  const a = analyzeVariant(syntheticMeta('x', 'async'), r, cpuSamples())
  // Over 10.8 s: server 50% + 30% of a core = 8,640 ms of CPU for 500 requests.
  near(a.cpu.serverPercent, 80, 'server %')
  near(a.cpu.serverMsPerRequest, 8640 / 500, 'server ms per request', 1e-6)
  near(a.cpu.servicesPercent, 10, 'services %')
  near(a.cpu.generatorPercent, 20, 'generator %')
  near(a.cpu.oursPercentOfMachine, 110 / 2, 'ours of the machine (2 cores)')
  // Machine samples at S (70%), S+1..S+11 (40%) and at the end + 0.5 s (100%): (70 + 440 + 100) / 13.
  near(a.cpu.machineBusyPercent, 610 / 13, 'machine busy')
  assert.equal(a.cpu.serverRssMaxBytes, 250 * MiB, 'server RSS: both processes at the same second, peak inside the window')
  const bare = analyzeVariant(syntheticMeta('x', 'async'), r)
  assert.deepEqual(bare.cpu, {
    serverPercent: null, serverMsPerRequest: null, generatorPercent: null, servicesPercent: null,
    oursPercentOfMachine: null, machineBusyPercent: null, serverRssMaxBytes: null
  })
  const noServer = analyzeVariant(syntheticMeta('x', 'async'), r, syntheticSamples({ processes: [steadyProcess('generator', 'g', 10, 10)] }))
  assert.deepEqual([noServer.cpu.serverPercent, noServer.cpu.serverMsPerRequest, noServer.cpu.serverRssMaxBytes, noServer.cpu.machineBusyPercent], [null, null, null, null])
  near(noServer.cpu.oursPercentOfMachine, 5, 'ours')
  const empty = analyzeVariant(syntheticMeta('x', 'async'), syntheticResult({ users: 5, spawnRate: 5, runTimeSec: 3, rps: 0, medianMs: 0 }), cpuSamples())
  assert.equal(empty.cpu.serverMsPerRequest, null, 'no requests: no CPU per request')
  const instant = tenSeconds()
  instant.endedAt = instant.startedAt
  const zero = analyzeVariant(syntheticMeta('x', 'async'), instant, cpuSamples())
  assert.deepEqual([zero.cpu.serverPercent, zero.cpu.generatorPercent], [null, null], 'a window of no length has no CPU share')
})

/** Pool metrics over the window: even seconds all 4 threads busy, odd ones 2; queue = the second. */
function poolMetrics(): MetricsSample[] {
  const metrics = metricsSeries(10, (i) => ({
    poolRunSlots: 4, poolRuns: i % 2 ? 2 : 4, poolRunsWaiting: i, poolThreads: 6 + (i % 2), poolThreadsMax: 12, poolQueue: i % 4,
    runsInProgress: 8, queueDepth: i % 3, rejectedTotal: 0
  }))
  // Not run-slot samples (no slots, or no runs count): left out even with more waiting.
  metrics.push({ ...metrics[3]!, poolRunSlots: 0, poolRunsWaiting: 99 }, { ...metrics[4]!, poolRunSlots: null, poolRunsWaiting: 99 }, { ...metrics[5]!, poolRuns: null, poolRunsWaiting: 99 })
  // Outside the window: left out of every maximum.
  metrics.push({ ...metrics[0]!, t: S - 3, runsInProgress: 500, queueDepth: 500, poolRunsWaiting: 500 }, { ...metrics[0]!, t: S + 30, runsInProgress: 600, queueDepth: 600, poolRunsWaiting: 600 })
  return metrics
}

test('the pool: run slots, how busy, how often full, runs waiting, threads and capacity, from samples with a pool', () => {
  const r = tenSeconds()
  const samples = syntheticSamples({ metrics: poolMetrics() })
  const a = analyzeVariant(syntheticMeta('x', 'pool_threads'), r, samples)
  // 11 samples: 6 full (seconds 0, 2, ..., 10), 5 half taken. The run time is the warm-up's median without its first: 1.252 s.
  assert.deepEqual({ ...a.pool!, busyAvg: Math.round(a.pool!.busyAvg * 1e9) / 1e9 }, {
    runSlots: 4, busyAvg: Math.round((8.5 / 11) * 1e9) / 1e9, fullShare: 6 / 11, runsWaitingMax: 10, threadsPeak: 7, threadsMax: 12,
    queueMax: 3, runTimeSec: 1.252, capacityRps: 4 / 1.252
  })
  assert.equal(a.runsInProgressMax, 8)
  assert.equal(a.queueDepthMax, 2)
  assert.equal(a.rejectedByServer, 0)
  // 99 of 100 slots taken is not full; no warm-up and no declared service time: no run time, no capacity.
  const nearlyFull = metricsSeries(2, () => ({ poolRunSlots: 100, poolRuns: 99, poolThreads: 100 }))
  const noTime = syntheticMeta('x', 'pool_threads', { declaredServiceTimeSec: undefined, warmupMs: [] })
  const b = analyzeVariant(noTime, r, syntheticSamples({ metrics: nearlyFull }))
  assert.deepEqual({ ...b.pool!, busyAvg: Math.round(b.pool!.busyAvg * 1e9) / 1e9 }, {
    runSlots: 100, busyAvg: 0.99, fullShare: 0, runsWaitingMax: 0, threadsPeak: 100, threadsMax: null, queueMax: 0, runTimeSec: null, capacityRps: null
  })
  assert.equal(analyzeVariant(syntheticMeta('x', 'async'), r, samples).pool, null, 'not a pool variant')
  assert.equal(analyzeVariant(syntheticMeta('x', 'pool_threads'), r, syntheticSamples({ metrics: metricsSeries(5, () => ({})) })).pool, null, 'no pool samples')
  const none = analyzeVariant(syntheticMeta('x', 'pool_threads'), r)
  assert.deepEqual([none.pool, none.runsInProgressMax, none.queueDepthMax, none.rejectedByServer], [null, null, null, null])
  // Maxima skip samples without the metric, wherever they are.
  const gaps = [null, 5, 3, null].map((v, i) => ({ ...metricsSeries(0, () => ({}))[0]!, t: S + i, runsInProgress: v }))
  assert.equal(analyzeVariant(syntheticMeta('x', 'async'), r, syntheticSamples({ metrics: gaps })).runsInProgressMax, 5)
  assert.equal(none.inFlightMax, 50, 'from the history')
})

test('each kind of error is counted, explained and sorted by count', () => {
  const errors = [error('dns', 1), error('timeout', 2), error('refused', 3), error('closed', 4), error('reset', 5), error('exception', 6),
    error('http', 7, 500), error('http', 8), error('other', 9), error('http', 10, 503), error('http', 11, 500)]
  const r = tenSeconds({ errors })
  const total = r.aggregated.requests
  assert.equal(total, 500 + 66)
  const a = analyzeVariant(syntheticMeta('x', 'async'), r)
  const pct = (n: number) => `${((n / total) * 100).toFixed(2)}%`
  assert.deepEqual(a.errors.map((e) => [e.label, e.count, e.share]), [
    ['http 500', 18, 18 / total], ['503', 10, 10 / total], ['other', 9, 9 / total], ['http ?', 8, 8 / total], ['exception', 6, 6 / total],
    ['reset', 5, 5 / total], ['closed', 4, 4 / total], ['refused', 3, 3 / total], ['timeout', 2, 2 / total], ['dns', 1, 1 / total]
  ])
  assert.deepEqual(a.errors.map((e) => e.text), [
    `http 500: 18 (${pct(18)} of requests); the server answered HTTP 500`,
    `503: 10 (${pct(10)} of requests); the target answered 503 Service Unavailable (not counted by a Floodgate admission metric)`,
    `other: 9 (${pct(9)} of requests); an error the load generator could not classify`,
    `http ?: 8 (${pct(8)} of requests); the server answered HTTP ?`,
    `exception: 6 (${pct(6)} of requests); the user scenario threw`,
    `reset: 5 (${pct(5)} of requests); connection reset by the server or its kernel (ECONNRESET; Locust shows ConnectionResetError(104)): the server dropped connections it had accepted, typically when its accept backlog overflows or a worker dies`,
    `closed: 4 (${pct(4)} of requests); the server closed the connection before answering (Locust shows RemoteDisconnected)`,
    `refused: 3 (${pct(3)} of requests); connection refused (ECONNREFUSED): nothing was listening, the server was down or restarting`,
    `timeout: 2 (${pct(2)} of requests); no answer within the load generator's timeout (60.00 s)`,
    `dns: 1 (${pct(1)} of requests); the host name did not resolve`
  ])
  // The 503s make the verdict; the other failures are a finding after it.
  assert.deepEqual(a.findings.map((f) => f.kind), ['admission', 'failing'])
  assert.equal(a.findings[1]!.text, `failing: 18 http 500, 9 other, 8 http ?, 6 exception, 5 reset, 4 closed, 3 refused, 2 timeout, 1 dns (${((56 / total) * 100).toFixed(2)}% of requests)`)
  assert.equal(a.verdict.text, `admission: 10 requests (${((10 / total) * 100).toFixed(1)}%) answered 503 at once instead of queueing; the 500 admitted were served at 50.00 req/s, their median overhead -250 ms`)
})

test('backpressure without pool metrics: the wait on top of the service time, with what grew', () => {
  // 95 users, 1.25 s service, 1.5 s wait: ideal 34.55 req/s; 10 req/s achieved with a 3 s median.
  const slow = syntheticResult({ users: 100, spawnRate: 100, runTimeSec: 10, rps: 10, medianMs: 3000 })
  const a = analyzeVariant(syntheticMeta('x', 'async'), slow)
  assert.equal(a.verdict.kind, 'backpressure')
  assert.equal(a.verdict.text, 'backpressure: requests in flight grew to 50, median wait 1.75 s on top of a 1.25 s service time; 10.00 req/s, 29% of the ideal 34.55 req/s')
  const withMetrics = analyzeVariant(syntheticMeta('x', 'async'), slow, syntheticSamples({ metrics: metricsSeries(10, (i) => ({ runsInProgress: i * 3 })) }))
  assert.equal(withMetrics.verdict.text, 'backpressure: runs in progress grew to 30, median wait 1.75 s on top of a 1.25 s service time; 10.00 req/s, 29% of the ideal 34.55 req/s')
  // A wait equal to the service time is not yet backpressure; nor one under 0.5 s for a short service.
  const edge = analyzeVariant(syntheticMeta('x', 'async'), syntheticResult({ users: 100, spawnRate: 100, runTimeSec: 10, rps: 10, medianMs: 2500 }))
  assert.equal(edge.verdict.kind, 'below-ideal')
  const short = analyzeVariant(syntheticMeta('x', 'async', { declaredServiceTimeSec: 0.2 }), syntheticResult({ users: 100, spawnRate: 100, runTimeSec: 10, rps: 10, medianMs: 600 }))
  assert.equal(short.verdict.kind, 'below-ideal')
  assert.equal(short.verdict.text, 'below ideal: 17.9% of the ideal 55.88 req/s with 0 failures, median overhead 400 ms; no saturated resource was measured')
})

test('backpressure with a pool: without worker count or runs waiting, with an admission queue', () => {
  const slow = syntheticResult({ users: 100, spawnRate: 100, runTimeSec: 10, rps: 10, medianMs: 3000 })
  const metrics = metricsSeries(10, (i) => ({ poolRunSlots: 13, poolRuns: 13, poolRunsWaiting: 0, poolThreads: 13, runsInProgress: 8, queueDepth: i }))
  const a = analyzeVariant(syntheticMeta('x', 'pool_threads'), slow, syntheticSamples({ metrics }))
  assert.equal(a.verdict.text, 'backpressure: all 13 run slots taken 100% of the time (100% on average), runs in progress to 8, admission queue to 10; median wait 1.75 s; 10.00 req/s against a pool capacity of 10.38 req/s (13 runs at once / 1.25 s per run; 96% of it), 29% of the ideal 34.55 req/s')
  // Without a service time there is no wait to quote (and no ideal: no backpressure at all).
  const unknown = analyzeVariant(syntheticMeta('x', 'pool_threads', { declaredServiceTimeSec: undefined, warmupMs: [] }), slow, syntheticSamples({ metrics }))
  assert.equal(unknown.verdict.kind, 'no-data')
  assert.equal(unknown.verdict.text, 'no verdict: no service time to compare with (no warm-up and none declared)')
  // A busy pool that still reaches the ideal is no backpressure either.
  const full = metricsSeries(10, () => ({ poolRunSlots: 4, poolRuns: 4 }))
  assert.equal(analyzeVariant(syntheticMeta('x', 'pool_threads'), tenSeconds(), syntheticSamples({ metrics: full })).verdict.kind, 'healthy')
  // Run slots under 90% taken are not the bottleneck.
  const idle = metricsSeries(10, () => ({ poolRunSlots: 10, poolRuns: 8 }))
  assert.equal(analyzeVariant(syntheticMeta('x', 'pool_threads'), slow, syntheticSamples({ metrics: idle })).verdict.kind, 'below-ideal')
})

test('machine-bound: busy cores below the ideal, with or without a machine-wide sample', () => {
  const slow = tenSeconds({ rps: 20, medianMs: 1300 })
  const others = analyzeVariant(syntheticMeta('x', 'async'), slow, syntheticSamples({ processes: [steadyProcess('server', 's', 20, 10)], machine: machineBusy(11, 95) }))
  assert.equal(others.verdict.text, "machine-bound: the 2 cores were 95% busy (this bench's processes 10%; other programs used the rest): server 20% of a core; 58% of the ideal 34.55 req/s")
  const ours = analyzeVariant(syntheticMeta('x', 'async'), slow, syntheticSamples({ processes: [steadyProcess('server', 's', 120, 10), steadyProcess('generator', 'g', 50, 10)] }))
  assert.equal(ours.verdict.text, 'machine-bound: the 2 cores were 85% busy: server 120% of a core, generator 50%; 58% of the ideal 34.55 req/s')
  const justUnder = analyzeVariant(syntheticMeta('x', 'async'), slow, syntheticSamples({ processes: [steadyProcess('server', 's', 169, 10)], machine: machineBusy(11, 89) }))
  assert.equal(justUnder.verdict.kind, 'below-ideal')
  assert.equal(justUnder.verdict.text, 'below ideal: 57.9% of the ideal 34.55 req/s with 0 failures, median overhead 50.0 ms; server CPU 169% of a core, machine 89% busy; no saturated resource was measured')
  const atNinety = analyzeVariant(syntheticMeta('x', 'async'), slow, syntheticSamples({ machine: machineBusy(11, 90) }))
  assert.equal(atNinety.verdict.text, 'machine-bound: the 2 cores were 90% busy; 58% of the ideal 34.55 req/s')
  // At the ideal, busy cores are no finding; without a service time, no ideal to quote.
  assert.equal(analyzeVariant(syntheticMeta('x', 'async'), tenSeconds(), syntheticSamples({ machine: machineBusy(11, 99) })).verdict.kind, 'healthy')
  const noIdeal = analyzeVariant(syntheticMeta('x', 'async', { declaredServiceTimeSec: undefined, warmupMs: [] }), slow, syntheticSamples({ machine: machineBusy(11, 99) }))
  assert.equal(noIdeal.verdict.text, 'machine-bound: the 2 cores were 99% busy')
})

test('healthy needs no failures; without CPU samples it quotes no CPU', () => {
  const a = analyzeVariant(syntheticMeta('x', 'async'), tenSeconds({ medianMs: 1260, p99Ms: 1300 }))
  assert.equal(a.verdict.text, 'healthy: 144.7% of the ideal 34.55 req/s, median overhead 10.0 ms, p99 overhead 50.0 ms, no failures')
  const failed = analyzeVariant(syntheticMeta('x', 'async'), tenSeconds({ errors: [error('http', 1, 500)] }))
  assert.deepEqual(failed.findings.map((f) => f.kind), ['failing'])
})

test('open loop: the ideal is the mean offered rate', () => {
  const r = tenSeconds()
  r.config = { ...r.config, mode: 'open', rate: 100, rampTo: 300 }
  assert.equal(analyzeVariant(syntheticMeta('x', 'async'), r).idealRps, 200)
  r.config = { ...r.config, rampTo: undefined }
  assert.equal(analyzeVariant(syntheticMeta('x', 'async'), r).idealRps, 100)
})

test('the variant figures: service time source, wait, overheads from the served requests only', () => {
  const r = tenSeconds({ wait: 'pacing:4' })
  const declared = analyzeVariant(syntheticMeta('x', 'async'), r)
  assert.deepEqual([declared.serviceTimeSource, declared.meanWaitSec, declared.lowLoadSec], ['declared', 4, 1.252])
  near(declared.idealRps, 95 / 4, 'ideal with pacing')
  const none = analyzeVariant(syntheticMeta('x', 'async', { declaredServiceTimeSec: undefined, warmupMs: [] }), r)
  assert.deepEqual([none.serviceTimeSource, none.idealRps, none.percentOfIdeal, none.medianOverheadMs, none.p99OverheadMs], ['none', null, null, null, null])

  // 503s mixed with other failures: the whole histogram's figures, as they are.
  const mixed = tenSeconds({ medianMs: 1300, p99Ms: 1400, errors: [error('http', 10, 503), error('reset', 1)] })
  mixed.histograms = { Aggregated: histogramOf([[2000, 10], [1_300_000, 501]]) }
  const m = analyzeVariant(syntheticMeta('x', 'async'), mixed)
  near(m.medianOverheadMs, 50, 'median overhead (whole)')
  near(m.p99OverheadMs, 150, 'p99 overhead (whole)')
  // Only 503s, every one of them faster than any success: the served requests' median and p99.
  const refused = tenSeconds({ medianMs: 2, p99Ms: 1400, errors: [error('http', 500, 503)] })
  refused.histograms = { Aggregated: histogramOf([[2000, 500], [1_300_000, 250], [1_400_000, 245], [1_500_000, 5]]) }
  const f = analyzeVariant(syntheticMeta('x', 'async'), refused)
  assert.ok(f.medianOverheadMs! >= 50 && f.medianOverheadMs! < 52, `served median overhead ${f.medianOverheadMs}`)
  assert.ok(f.p99OverheadMs! >= 150 && f.p99OverheadMs! < 152, `served p99 overhead ${f.p99OverheadMs}`)
  // Every request refused: nothing was served; the whole histogram is all there is.
  const all = tenSeconds({ medianMs: 2, p99Ms: 3 })
  all.aggregated = { ...all.aggregated, failures: all.aggregated.requests }
  all.errors = [error('http', all.aggregated.requests, 503)]
  all.histograms = { Aggregated: histogramOf([[2000, all.aggregated.requests - 1], [5000, 1]]) }
  near(analyzeVariant(syntheticMeta('x', 'async'), all).medianOverheadMs, 2 - 1250, 'all refused')
  near(analyzeVariant(syntheticMeta('x', 'async'), all).p99OverheadMs, 3 - 1250, 'all refused')
})

test('findings come in order of precedence, every one that applies; no requests, no verdict', () => {
  const r = tenSeconds({ rps: 10, medianMs: 3000, errors: [error('http', 50, 503), error('reset', 5)], saturated: true })
  const a: VariantAnalysis = analyzeVariant(syntheticMeta('x', 'async'), r, syntheticSamples({ machine: machineBusy(11, 95) }))
  assert.deepEqual(a.findings.map((f) => f.kind), ['admission', 'backpressure', 'generator-bound', 'machine-bound', 'failing'])
  assert.equal(a.verdict, a.findings[0])
  const empty = syntheticResult({ users: 5, spawnRate: 5, runTimeSec: 3, rps: 0, medianMs: 0 })
  const b = analyzeVariant(syntheticMeta('x', 'async', { declaredServiceTimeSec: undefined, warmupMs: [] }), empty, syntheticSamples({ machine: machineBusy(4, 99) }))
  assert.deepEqual(b.findings, [{ kind: 'no-data', text: 'no verdict: no requests were recorded' }])
})

function histogramOf(buckets: Array<[number, number]>): string {
  const h = newHistogram()
  for (const [us, count] of buckets) h.recordValueWithCount(us, count)
  return encodeHistogram(h)
}

test('verdict texts when a measurement is missing or sits on a threshold', () => {
  const slow = syntheticResult({ users: 100, spawnRate: 100, runTimeSec: 10, rps: 10, medianMs: 3000 })
  // Run slots exactly 90% taken are saturated; a worker count without threads names no size; no runs
  // metric; node timings play no part in the capacity (the run time does).
  const ninety = metricsSeries(1, () => ({ poolRunSlots: 10, poolRuns: 9, runsInProgress: null }))
  const a = analyzeVariant(syntheticMeta('x', 'pool_threads', { workers: 8 }), slow, syntheticSamples({ metrics: ninety, nodeTimings: [{ node: 'n', count: 1, meanSec: 0 }] }))
  assert.equal(a.verdict.text, 'backpressure: all 10 run slots taken 0% of the time (90% on average); median wait 1.75 s; 10.00 req/s against a pool capacity of 7.99 req/s (10 runs at once / 1.25 s per run; 125% of it), 29% of the ideal 34.55 req/s')
  // 503s with a server that counted no rejections: not its admission control.
  const e503 = [error('http', 40, 503)]
  const b = analyzeVariant(syntheticMeta('x', 'async'), tenSeconds({ errors: e503 }), syntheticSamples({ metrics: metricsSeries(10, () => ({ rejectedTotal: 0 })) }))
  assert.match(b.errors[0]!.text, /; the target answered 503 Service Unavailable \(not counted by a Floodgate admission metric\)$/)
  // Admission without a service time: no overhead to quote.
  const c = analyzeVariant(syntheticMeta('x', 'async', { declaredServiceTimeSec: undefined, warmupMs: [] }), tenSeconds({ errors: e503 }), syntheticSamples({ metrics: metricsSeries(10, (i) => ({ runsInProgress: i, rejectedTotal: i * 4 })) }))
  assert.equal(c.verdict.text, 'admission: 40 requests (7.4%) answered 503 with Retry-After at once instead of queueing; the 500 admitted were served at 50.00 req/s, at most 10 runs in progress')
  // A generator at exactly 90% of a core in a run short of its ideal; without its CPU samples, no average.
  const d = analyzeVariant(syntheticMeta('x', 'async'), tenSeconds({ rps: 20, generatorCpuMax: 90 }))
  assert.equal(d.verdict.text, "generator-bound: the load generator used up to 90% of a core; the figures may be its limit, not the server's")
})