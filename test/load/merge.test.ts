// mergeResults field by field on small hand-made results: the config (what adds up, what is the first's),
// endpoints seen by only some generators, histories that start at different seconds or lack window
// histograms, errors and exceptions, and the generator's figures.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Recorder } from '../../src/load/recorder.js'
import { combinePoints, mergeResults } from '../../src/load/merge.js'
import { decodeHistogram } from '../../src/load/histogram.js'
import { httpFailure, transportFailure } from '../../src/load/failure.js'
import type { GeneratorStats, LoadConfig, LoadResult } from '../../src/load/result.js'
import { HAND_CONFIG, START_MS } from './helpers/hand-made.js'

const T0 = START_MS / 1000

function generator(over: Partial<GeneratorStats> = {}): GeneratorStats {
  return { processes: 1, cpuPercentAvg: 10, cpuPercentMax: 20, rssMaxBytes: 100, saturated: false, ...over }
}

/**
 * One generator's result: `seconds` windows starting at epoch second `from`, each with the given
 * requests (latency ms, status) on `path`, and the window's CPU and RSS when given.
 */
function result(opts: {
  config?: Partial<LoadConfig>
  from?: number
  windows: Array<{ requests: Array<[number, number, string?]>; cpu?: number; rss?: number; users?: number; inFlight?: number }>
  gen?: Partial<GeneratorStats>
  startedAt?: number
  durationSec?: number
}): LoadResult {
  const r = new Recorder()
  const from = opts.from ?? T0 + 1
  opts.windows.forEach((w, i) => {
    for (const [ms, status, path = '/a'] of w.requests) {
      const failure = status >= 400 ? httpFailure(status, path) : status === 0 ? transportFailure({ code: 'ECONNRESET' }, 60) : undefined
      r.record(r.endpoint('GET', path), ms * 1000, status, 10, failure)
    }
    const point = r.closeWindow(from + i, 1, w.users ?? 1, w.inFlight ?? 0)
    if (w.cpu !== undefined) point.cpuPercent = w.cpu
    if (w.rss !== undefined) point.rssBytes = w.rss
  })
  const startedAt = opts.startedAt ?? START_MS
  const durationSec = opts.durationSec ?? opts.windows.length
  return r.toResult({ ...HAND_CONFIG, ...opts.config }, startedAt, startedAt + durationSec * 1000, durationSec, false, generator(opts.gen))
}

test('config: users, spawn rate, processes, rates and in-flight limits add up; the rest is the first one\'s; no shard', () => {
  const a = result({ config: { users: 3, spawnRate: 1.5, processes: 1, mode: 'open', rate: 10, rampTo: 20, maxInFlight: 100, shard: '0/2' }, windows: [{ requests: [[1, 200]] }] })
  const b = result({ config: { users: 4, spawnRate: 2, processes: 2, mode: 'open', rate: 5, rampTo: 7, maxInFlight: 50, shard: '1/2', name: 'other' }, windows: [{ requests: [[1, 200]] }] })
  const merged = mergeResults([a, b])
  assert.deepEqual(merged.config, { ...HAND_CONFIG, users: 7, spawnRate: 3.5, processes: 3, mode: 'open', rate: 15, rampTo: 27, maxInFlight: 150 })
  // Only one of them gave a rate: that rate; none gave one: none.
  const closed = result({ windows: [{ requests: [[1, 200]] }] })
  assert.equal(mergeResults([a, closed]).config.rate, 10)
  const none = mergeResults([closed, closed])
  assert.deepEqual([none.config.rate, none.config.rampTo, none.config.maxInFlight], [undefined, undefined, undefined])
  for (const key of ['rate', 'rampTo', 'maxInFlight', 'shard']) assert.ok(!(key in none.config), key)
  assert.equal(a.config.shard, '0/2', 'the inputs are not changed')
})

test('endpoints seen by only some generators; statuses, errors and exceptions summed and sorted', () => {
  const a = result({ windows: [{ requests: [[1, 200, '/a'], [2, 503, '/a'], [3, 0, '/a']] }] })
  const b = result({ windows: [{ requests: [[4, 200, '/b'], [7, 0, '/b'], [7, 0, '/b'], [5, 503, '/a'], [6, 503, '/a']] }] })
  a.exceptions = [{ count: 1, message: 'Error: rare', traceback: 'at rare' }, { count: 1, message: 'Error: often', traceback: 'at often' }]
  b.exceptions = [{ count: 3, message: 'Error: often', traceback: 'at often' }, { count: 1, message: 'Error: often', traceback: 'at elsewhere' }]
  const merged = mergeResults([a, b])
  assert.deepEqual(merged.endpoints.map((e) => [e.method, e.name, e.requests, e.failures, e.minMs, e.maxMs]), [['GET', '/a', 5, 4, 1, 6], ['GET', '/b', 3, 2, 4, 7]])
  assert.deepEqual([merged.aggregated.method, merged.aggregated.name, merged.aggregated.requests, merged.aggregated.failures], ['', 'Aggregated', 8, 6])
  assert.deepEqual(Object.keys(merged.histograms).sort(), ['Aggregated', 'GET /a', 'GET /b'])
  assert.equal(decodeHistogram(merged.histograms['GET /b']!).totalCount, 3)
  assert.deepEqual(merged.statusCounts, { 0: 3, 200: 2, 503: 3 })
  // Most frequent first, whichever generator saw them first.
  assert.deepEqual(merged.errors.map((e) => [e.name, e.kind, e.occurrences]), [['/a', 'http', 3], ['/b', 'reset', 2], ['/a', 'reset', 1]])
  assert.deepEqual(merged.exceptions, [
    { count: 4, message: 'Error: often', traceback: 'at often' },
    { count: 1, message: 'Error: rare', traceback: 'at rare' },
    { count: 1, message: 'Error: often', traceback: 'at elsewhere' }
  ])
  assert.equal(a.exceptions[1]!.count, 1, 'the inputs are not changed')
  assert.equal(merged.tool, 'floodgate')
  assert.equal(merged.version, a.version)
})

test('histograms of very different ranges add: a decoded histogram grows to take the other', () => {
  const fast = result({ windows: [{ requests: [[0.5, 200], [1, 200]] }] })
  const slow = result({ windows: [{ requests: [[90_000, 200], [100_000, 200]] }] })
  for (const order of [[fast, slow], [slow, fast]]) {
    const merged = mergeResults(order)
    assert.equal(merged.aggregated.requests, 4)
    assert.equal(merged.aggregated.maxMs, 100_000)
    assert.equal(merged.aggregated.minMs, 0.5)
    assert.equal(decodeHistogram(merged.histograms.Aggregated!).totalCount, 4)
    assert.ok(merged.aggregated.percentiles['99']! >= 99_900, String(merged.aggregated.percentiles['99']))
  }
})

test('history: seconds in order across generators that started apart; running totals carried over', () => {
  // a: seconds 1-3; b starts a second later: seconds 2-4.
  const a = result({ windows: [
    { requests: [[10, 200]], users: 1, inFlight: 1, cpu: 10, rss: 100 },
    { requests: [[20, 200], [30, 503]], users: 2, inFlight: 2, cpu: 20, rss: 200 },
    { requests: [], users: 2, inFlight: 0 }
  ] })
  const b = result({ from: T0 + 2, startedAt: START_MS + 1000, windows: [
    { requests: [[40, 200]], users: 5, inFlight: 3, cpu: 5 },
    { requests: [[50, 200], [60, 200]], users: 5, inFlight: 1 },
    { requests: [[70, 200]], users: 4, inFlight: 0 }
  ] })
  const merged = mergeResults([b, a])
  assert.deepEqual(merged.history.map((p) => p.t), [T0 + 1, T0 + 2, T0 + 3, T0 + 4])
  assert.deepEqual(merged.history.map((p) => [p.requests, p.failures, p.rps, p.failuresPerSec, p.inFlight]), [
    [1, 0, 1, 0, 1], [3, 1, 3, 1, 5], [2, 0, 2, 0, 1], [1, 0, 1, 0, 0]
  ])
  // Users and running totals: each generator's latest point, a's last one carried into second 4.
  assert.deepEqual(merged.history.map((p) => [p.users, p.totalRequests, p.totalFailures]), [[1, 1, 0], [7, 4, 1], [7, 6, 1], [6, 7, 1]])
  assert.deepEqual(merged.history.map((p) => [p.cpuPercent, p.rssBytes]), [[10, 100], [25, 200], [undefined, undefined], [undefined, undefined]])
  assert.ok(!('cpuPercent' in merged.history[2]!) && !('rssBytes' in merged.history[3]!))
  const last = merged.history[3]!
  assert.deepEqual([last.totalMinMs, last.totalMaxMs, last.totalAvgContentBytes], [10, 70, 10])
  assert.equal(last.totalAvgMs, 40, 'the mean of 10..70 ms, weighted by each generator\'s count')
  assert.ok(last.totalMedianMs! >= 40 && last.totalMedianMs! <= 40.04, String(last.totalMedianMs))
  // Window percentiles of second 2 (20, 30, 40 ms) from the added window histograms.
  const second = merged.history[1]!
  assert.ok(second.p50! >= 30 && second.p50! <= 30.03 && second.p99! >= 40 && second.p99! <= 40.04, JSON.stringify(second))
  assert.equal(decodeHistogram(second.histogram!).totalCount, 3)
  // Duration: from the first start to the last end (b started 1 s later and ran 3 s).
  assert.equal(merged.durationSec, 4)
  assert.equal(merged.endedAt, START_MS + 4000)
  assert.equal(merged.aggregated.rps, 7 / 4)
})

test('history without window histograms: the worst part\'s percentile (an upper bound), no merged histogram', () => {
  const a = result({ windows: [{ requests: [[10, 200], [12, 200]] }, { requests: [] }] })
  const b = result({ windows: [{ requests: [[50, 200]] }, { requests: [[5, 200]] }] })
  for (const r of [a, b]) for (const p of r.history) delete p.histogram
  const merged = mergeResults([a, b])
  const [first, second] = merged.history
  assert.deepEqual([first!.p50, first!.p95, first!.p99, first!.histogram], [50, 50, 50, undefined])
  assert.deepEqual([second!.p50, second!.p95, second!.p99], [5, 5, 5], 'a window without requests adds nothing')
  assert.equal(first!.totalMedianMs, undefined, 'no exact running median without window histograms')
  // An empty window needs no histogram to be exact.
  const c = result({ windows: [{ requests: [[7, 200]] }, { requests: [] }] })
  delete c.history[1]!.histogram
  assert.ok(mergeResults([c, c]).history[1]!.totalMedianMs! >= 7)
})

test('generator figures: summed, the busiest second from the merged history, else each one\'s maximum', () => {
  const a = result({ windows: [{ requests: [[1, 200]], cpu: 40 }, { requests: [[1, 200]], cpu: 70 }], gen: { cpuPercentAvg: 30, cpuPercentMax: 70, rssMaxBytes: 1000 } })
  const b = result({ windows: [{ requests: [[1, 200]], cpu: 50 }, { requests: [[1, 200]], cpu: 10 }], gen: { cpuPercentAvg: 20, cpuPercentMax: 50, rssMaxBytes: 500, processes: 2, saturated: true } })
  const merged = mergeResults([a, b])
  assert.deepEqual(merged.generator, { processes: 3, cpuPercentAvg: 50, cpuPercentMax: 90, rssMaxBytes: 1500, saturated: true })
  const noCpu = [result({ windows: [{ requests: [[1, 200]] }], gen: { cpuPercentMax: 33 } }), result({ windows: [{ requests: [[1, 200]] }], gen: { cpuPercentMax: 44 } })]
  assert.equal(mergeResults(noCpu).generator.cpuPercentMax, 44)
  assert.equal(mergeResults(noCpu).generator.saturated, false)
})

test('history edges: a generator with nothing recorded yet, windows empty everywhere, results without histograms', () => {
  // a records nothing in its first second; b records 30 and 40 ms.
  const a = result({ windows: [{ requests: [] }, { requests: [[10, 200]] }] })
  const b = result({ windows: [{ requests: [[30, 200], [40, 200]] }, { requests: [] }] })
  const merged = mergeResults([a, b])
  const first = merged.history[0]!
  assert.deepEqual([first.totalRequests, first.totalMinMs, first.totalMaxMs, first.totalAvgMs], [2, 30, 40, 35], 'a\'s empty totals are not a 0 ms minimum')
  const none = mergeResults([result({ windows: [{ requests: [] }] }), result({ windows: [{ requests: [] }] })])
  const empty = none.history[0]!
  assert.deepEqual([empty.requests, empty.p50, empty.totalAvgMs, empty.totalMinMs], [0, null, undefined, undefined])
  // Live --processes ticks combine points without a running histogram: no running median then.
  const live = combinePoints(T0 + 1, [a.history[1], b.history[1]], [a.history[1], b.history[1]])
  assert.deepEqual([live.requests, live.users, live.totalRequests, live.totalMedianMs], [1, 2, 3, undefined])
  // A result whose endpoint histograms were left out still adds its counts.
  const bare = result({ windows: [{ requests: [[5, 200]] }] })
  bare.histograms = {}
  const withBare = mergeResults([bare, result({ windows: [{ requests: [[7, 200]] }] })])
  assert.deepEqual([withBare.aggregated.requests, withBare.aggregated.minMs, withBare.aggregated.maxMs], [2, 5, 7])
})