// resultOfWindows: a run cut to some of its seconds. Counts come from the windows, never from the whole
// run: 503s from the running count of refusals, other failures keep their kind only when the run had one.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Recorder } from '../../src/load/recorder.js'
import { httpFailure, transportFailure } from '../../src/load/failure.js'
import { resultOfWindows } from '../../src/load/window.js'
import type { LoadResult } from '../../src/load/result.js'

function run(kinds: ('500' | 'reset')[]): LoadResult {
  const r = new Recorder()
  const ep = r.endpoint('POST', '/score')
  for (let t = 1; t <= 6; t++) {
    for (let i = 0; i < 10; i++) r.record(ep, 1000 * (t * 10 + i), 200, 5)
    // Second 2 refuses twice; from second 4 on one failure of each kind per second.
    if (t === 2) for (let i = 0; i < 2; i++) r.record(ep, 500, 503, 5, httpFailure(503, '/score'))
    if (t >= 4) {
      for (const k of kinds) r.record(ep, 700, k === '500' ? 500 : 0, 0, k === '500' ? httpFailure(500, '/score') : transportFailure({ code: 'ECONNRESET' }, 60))
    }
    r.closeWindow(100 + t, 1, 5, 1)
  }
  const config = { url: 'http://x/score', method: 'POST', name: '/score', mode: 'closed' as const, users: 5, spawnRate: 5, runTimeSec: 6, wait: 'none', timeoutSec: 60, processes: 1 }
  return r.toResult(config, 100_000, 106_000, 6, false, { processes: 1, cpuPercentAvg: 1, cpuPercentMax: 95, rssMaxBytes: 1, saturated: true })
}

test('a slice counts its own requests, 503s and failures, and its users at the start', () => {
  const whole = run(['500'])
  const part = resultOfWindows(whole, 102, 106)
  assert.deepEqual(part.history.map((p) => p.t), [103, 104, 105, 106])
  assert.equal(part.startedAt, 102_000)
  assert.equal(part.config.runTimeSec, 4)
  assert.equal(part.usersAtStart, 5)
  assert.equal(part.aggregated.requests, 43)
  assert.equal(part.aggregated.failures, 3)
  // The 503s were all in second 2: none in the slice; the three 500s keep their kind.
  assert.deepEqual(part.errors.map((e) => [e.kind, e.status, e.occurrences]), [['http', 500, 3]])
  // min and max from the histograms: exact to 3 significant digits (the slowest was 69 ms).
  assert.equal(part.aggregated.minMs, 0.7)
  assert.ok(Math.abs(part.aggregated.maxMs - 69) <= 0.069, String(part.aggregated.maxMs))
  assert.equal(part.generator.saturated, false)
  assert.deepEqual(part.endpoints.map((e) => [e.method, e.name, e.requests]), [['POST', '/score', 43]])
  assert.deepEqual(part.statusCounts, {})
  const refusing = resultOfWindows(whole, 100, 103)
  assert.deepEqual(refusing.errors.map((e) => [e.status, e.occurrences]), [[503, 2]])
})

test('failures of several kinds in the slice are counted, not attributed to one of them', () => {
  const part = resultOfWindows(run(['500', 'reset']), 103, 106)
  assert.deepEqual(part.errors.map((e) => [e.kind, e.occurrences]), [['other', 6]])
  assert.match(part.errors[0]!.error, /failures of 2 kinds/)
})

test('a slice of a streamed run keeps its seconds\' TTFT and ITL exactly, its tokens, completed and good requests', async () => {
  const { parseSlo } = await import('../../src/load/slo.js')
  const { evaluateThresholds, parseThreshold } = await import('../../src/load/index.js')
  const { newHistogram } = await import('../../src/load/histogram.js')
  const r = new Recorder([parseSlo('ttft<500')])
  const ep = r.endpoint('POST', '/v1/completions')
  // Second t: 10 streams of 3 tokens, first token after 100 * t + i ms (seconds 1-2 a slow ramp: 2000 ms);
  // ttft<500 holds for seconds 3 and 4 and the 500 ms stream of second 5 (compared inclusively, as vLLM does).
  for (let t = 1; t <= 6; t++) {
    for (let i = 0; i < 10; i++) {
      const ttft = t <= 2 ? 2000 : 100 * t + i
      r.llm.firstToken(ttft)
      r.llm.nextToken(20 + i)
      r.llm.nextToken(30)
      r.llm.finish({ startedAt: 0, firstAt: ttft, lastAt: ttft + 50, contentEvents: 3, maxGapMs: 30, usageTokens: -1, promptTokens: -1 }, true)
      r.record(ep, 1000 * (ttft + 50), 200, 5)
    }
    r.closeWindow(100 + t, 1, 10, 1)
  }
  const config = { url: 'http://x/v1/completions', method: 'POST', name: '/v1/completions', mode: 'closed' as const, users: 10, spawnRate: 10, runTimeSec: 6, wait: 'none', timeoutSec: 60, processes: 1 }
  const whole = r.toResult(config, 100_000, 106_000, 6, false, { processes: 1, cpuPercentAvg: 1, cpuPercentMax: 5, rssMaxBytes: 1, saturated: false })
  const part = resultOfWindows(whole, 102, 106)
  const ttft = newHistogram()
  for (let t = 3; t <= 6; t++) for (let i = 0; i < 10; i++) ttft.recordValue((100 * t + i) * 1000)
  const outcomes = evaluateThresholds(part, ['ttft_p99<700', 'ttft_max<700', 'itl_p50<30', 'goodput>=5', 'tokens_per_s>=30'].map((text) => parseThreshold(text)))
  // TTFT from the windows' HDR histograms: within their precision (3 significant digits) of the values sent.
  const [p99, max, ...rest] = outcomes.map((o) => o.actual!)
  assert.ok(Math.abs(p99! - ttft.getValueAtPercentile(99) / 1000) <= 0.001 * 609, String(p99))
  assert.ok(Math.abs(max! - 609) <= 0.001 * 609, String(max))
  assert.deepEqual(rest, [29.007, 21 / 4, 120 / 4])
  assert.deepEqual(outcomes.map((o) => o.passed), [true, true, true, true, true])
  // Over the whole run the ramp's 2 s first tokens break the TTFT bound, and goodput counts its 6 seconds.
  const all = evaluateThresholds(whole, ['ttft_max<700', 'goodput>=5'].map((text) => parseThreshold(text)))
  assert.deepEqual(all.map((o) => o.passed), [false, false])
})

test("a slice's generator figures come from its own seconds: CPU average and peak, saturated only after two seconds in a row above 90%, peak RSS", () => {
  const slice = (cpu: Array<number | undefined>, rss: Array<number | undefined> = []) => {
    const whole = run([])
    whole.history.forEach((p, i) => {
      p.cpuPercent = cpu[i]
      p.rssBytes = rss[i]
    })
    return resultOfWindows(whole, 102, 106).generator
  }
  // Seconds 3-6 of the run are the slice (indexes 2-5).
  assert.deepEqual(slice([99, 99, 50, 95, 95, 50], [9e9, 1, 5e8, 7e8, 6e8, 2e8]),
    { processes: 1, cpuPercentAvg: (50 + 95 + 95 + 50) / 4, cpuPercentMax: 95, rssMaxBytes: 7e8, saturated: true })
  assert.equal(slice([99, 99, 95, 50, 95, 50]).saturated, false, 'never two in a row')
  assert.equal(slice([0, 0, 90, 90, 90, 90]).saturated, false, '90% is not above 90%')
  assert.equal(slice([99, 99, 99, 40, 91, 91]).saturated, true)
  assert.deepEqual(slice([]), { processes: 1, cpuPercentAvg: 0, cpuPercentMax: 0, rssMaxBytes: 0, saturated: false })
  assert.deepEqual(slice([1, 1, undefined, 20, undefined, 40]).cpuPercentAvg, 30, 'seconds without a CPU reading are left out')
})

test("a slice's mean, its end, its one endpoint's histogram, and what it does not keep", () => {
  const whole = run([])
  const part = resultOfWindows(whole, 102, 106)
  // Seconds 3-6 answered in 30-39, 40-49, 50-59 and 60-69 ms: a mean of 49.5 ms, to the histograms' precision.
  assert.ok(Math.abs(part.aggregated.meanMs - 49.5) <= 0.05, String(part.aggregated.meanMs))
  assert.equal(part.endedAt, 106_000)
  assert.equal(part.durationSec, 4)
  assert.deepEqual(Object.keys(part.histograms), ['Aggregated', 'POST /score'])
  assert.equal(part.histograms['POST /score'], part.histograms.Aggregated)
  assert.deepEqual([part.exceptions, part.dropped, part.abandoned], [[], 0, 0])
  // A slice after the last second: no windows, the users of the last second before it.
  const after = resultOfWindows(whole, 106, 110)
  assert.deepEqual([after.history.length, after.aggregated.requests, after.usersAtStart, after.endedAt, after.durationSec], [0, 0, 5, 106_000, 0.001])
  assert.equal(after.aggregated.maxMs, 0)
})
