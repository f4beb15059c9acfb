// The report's opening, rule by rule, on synthetic runs: "healthy" needs a bounded p99 overhead and
// event-loop delay (else "degraded" with the reason), answered and refused requests/s apart, the admission
// control's intended shedding not painted as a failure, one generated sentence per variant, the reference
// figures labelled with their provenance, and both formats in the same order.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { analyzeVariant, HEALTH_LIMITS, verdictTone } from '../../src/report/bench/analysis.js'
import { summaryChart } from '../../src/report/bench/charts.js'
import { summaryLines } from '../../src/report/bench/summary.js'
import { analysisTable, resultsTable } from '../../src/report/bench/tables.js'
import { writeBenchReport } from '../../src/report/bench/report.js'
import type { ErrorEntry } from '../../src/load/result.js'
import { metricsSeries, machineBusy, syntheticMeta, syntheticResult, syntheticSamples, writeSyntheticBench } from './helpers/synthetic.js'

/** 100 users, 50 answered requests a second for 10 s; service time 1.25 s declared. */
const tenSeconds = (extra: Partial<Parameters<typeof syntheticResult>[0]> = {}) =>
  syntheticResult({ users: 100, spawnRate: 100, runTimeSec: 10, rps: 50, medianMs: 1260, p99Ms: 1300, ...extra })

const loop = (ms: number) => syntheticSamples({ metrics: metricsSeries(10, () => ({ eventLoopDelaySec: ms / 1000 })) })

const err503 = (occurrences: number): ErrorEntry =>
  ({ method: 'POST', name: '/score', kind: 'http', status: 503, error: 'HTTP 503', occurrences })

test('healthy needs the p99 overhead within max(100 ms, 10% of the service time) and the event-loop delay within 100 ms', () => {
  assert.deepEqual(HEALTH_LIMITS, { p99OverheadMs: 100, p99OverheadShareOfService: 0.1, eventLoopDelayMs: 100 })
  const ok = analyzeVariant(syntheticMeta('x', 'async'), tenSeconds(), loop(20))
  assert.equal(ok.p99OverheadBoundMs, 125)
  assert.equal(ok.verdict.kind, 'healthy')
  assert.equal(ok.verdict.text, 'healthy: 144.7% of the ideal 34.55 req/s, median overhead 10.0 ms, p99 overhead 50.0 ms, event-loop delay at most 20.0 ms, no failures')
  assert.equal(verdictTone(ok), 'good')
  // At the bound is still healthy; one millisecond over is not.
  assert.equal(analyzeVariant(syntheticMeta('x', 'async'), tenSeconds({ p99Ms: 1375 }), loop(100)).verdict.kind, 'healthy')

  const tail = analyzeVariant(syntheticMeta('x', 'async'), tenSeconds({ p99Ms: 1376 }), loop(20))
  assert.equal(tail.verdict.kind, 'degraded')
  assert.equal(tail.verdict.text, 'degraded: 144.7% of the ideal 34.55 req/s with no failures, but p99 overhead 126 ms over its 125 ms bound')
  assert.equal(verdictTone(tail), 'warn')

  // flex-async's figures of the issue: 337 ms p99 overhead and a 557 ms event-loop delay peak, on a busy machine.
  const samples = loop(557)
  samples.machine = machineBusy(11, 95)
  const flex = analyzeVariant(syntheticMeta('flex-async', 'async'), tenSeconds({ p99Ms: 1587 }), samples)
  assert.equal(flex.verdict.text, 'degraded: 144.7% of the ideal 34.55 req/s with no failures, but p99 overhead 337 ms over its 125 ms bound ' +
    'and event-loop delay peaked at 557 ms, over its 100 ms bound; the machine was 95% busy')

  // The bound grows with the service time: 10% of 2 s.
  const slow = analyzeVariant(syntheticMeta('x', 'async', { declaredServiceTimeSec: 2 }), tenSeconds({ medianMs: 2010, p99Ms: 2190 }))
  assert.equal(slow.p99OverheadBoundMs, 200)
  assert.equal(slow.verdict.kind, 'healthy')
  // No /metrics (a mock, an external target): the delay is not measured, only the tail is checked.
  assert.equal(analyzeVariant(syntheticMeta('x', 'direct'), tenSeconds()).eventLoopDelayMaxMs, null)
})

test('answered (2xx) and refused (503) requests/s are apart, and add up with other failures to Locust\'s Requests/s', () => {
  // 500 refused + 1 reset, in the last second of the run.
  const r = tenSeconds({ errors: [err503(500), { method: 'POST', name: '/score', kind: 'reset', error: 'reset', occurrences: 1 }] })
  const a = analyzeVariant(syntheticMeta('admission', 'pool_threads'), r)
  const answered = (r.aggregated.requests - r.aggregated.failures) / 10
  assert.ok(Math.abs(a.achievedRps - answered) < 1e-9, `answered ${a.achievedRps}`)
  assert.ok(Math.abs(a.refusedRps - 50) < 1e-9, `refused ${a.refusedRps}`)

  const t = resultsTable([{ meta: syntheticMeta('admission', 'pool_threads'), result: r }])
  const row = (label: string) => Number(t.rows.find((x) => x[0] === label)![1]!.replace(/,/g, ''))
  const agg = r.aggregated
  assert.ok(Math.abs(row('Answered (2xx) req/s') - (agg.rps - agg.failuresPerSec)) < 0.005)
  assert.ok(Math.abs(row('Refused (503) req/s') - (agg.failuresPerSec * 500) / 501) < 0.005)
  assert.ok(Math.abs(row('Answered (2xx) req/s') + row('Refused (503) req/s') + row('Other failures/s') - agg.rps) < 0.015)
  assert.equal(t.rows.find((x) => x[0] === 'Requests/s'), undefined, 'no total that counts the 503s as throughput')
  assert.deepEqual(t.header, ['Metric', 'admission'], 'no reference column among this run\'s')

  const v = analysisTable([a])
  assert.deepEqual(v.header.slice(1, 3), ['Answered req/s', 'Refused (503) req/s'])
  assert.deepEqual(v.rows[0]!.slice(1, 3), [a.achievedRps.toFixed(1), '50.0'])
})

test('shedding by the server\'s admission control is intended (tone shed); 503s it did not count are a failure (tone bad)', () => {
  const r = tenSeconds({ errors: [err503(400)] })
  const counted = analyzeVariant(syntheticMeta('x', 'pool_threads'), r, syntheticSamples({ metrics: metricsSeries(10, (i) => ({ rejectedTotal: i * 40, runsInProgress: 64 })) }))
  assert.equal(counted.verdict.kind, 'admission')
  assert.equal(verdictTone(counted), 'shed')
  const uncounted = analyzeVariant(syntheticMeta('x', 'external'), r)
  assert.equal(uncounted.verdict.kind, 'admission')
  assert.equal(verdictTone(uncounted), 'bad')
  for (const [kind, tone] of [['backpressure', 'bad'], ['failing', 'bad'], ['machine-bound', 'warn'], ['below-ideal', 'warn']] as const) {
    assert.equal(verdictTone({ ...counted, verdict: { kind, text: '' } }), tone, kind)
  }
})

test('one generated sentence per variant: what it reached, what limited it, what to do', () => {
  const healthy = analyzeVariant(syntheticMeta('static-async', 'async'), tenSeconds(), loop(20))
  const shed = analyzeVariant(syntheticMeta('admission', 'pool_threads', { workers: 8, threads: 8 }), tenSeconds({ medianMs: 1400, p99Ms: 1500, errors: [err503(400)] }),
    syntheticSamples({ metrics: metricsSeries(10, (i) => ({ rejectedTotal: i * 40, runsInProgress: 64, poolRunSlots: 64, poolRuns: 64 })) }))
  const failed = { meta: syntheticMeta('broken', 'async', { status: 'failed', error: 'broken: service broken: exited with code 1 before it was ready\nstderr: boom' }) }
  const records = [{ meta: syntheticMeta('static-async', 'async') }, failed, { meta: syntheticMeta('admission', 'pool_threads') }]
  const lines = summaryLines(records, [healthy, shed])
  assert.deepEqual(lines.map((l) => [l.name, l.tone]), [['static-async', 'good'], ['broken', 'bad'], ['admission', 'shed']])
  assert.equal(lines[0]!.text, 'static-async answered 50.00 req/s (145% of the ideal 34.55 req/s), p50 1.26 s, p99 1.30 s; ' +
    "nothing in the server limited it, the users' own pace did (p99 overhead 50.0 ms, event-loop delay at most 20.0 ms); " +
    'to find its limit, raise the users until it falls below the ideal.')
  assert.equal(lines[1]!.text, 'broken failed before it was measured: service broken: exited with code 1 before it was ready.')
  assert.match(lines[2]!.text, /^admission answered 50\.00 req\/s and refused 40\.00 req\/s with 503 \(145% of the ideal 34\.55 req\/s\), p50 [\d.]+ s, p99 [\d.]+ s; limited by its admission control, by design: it refused 44% of requests at once with Retry-After and ran at most 64 at a time, so the admitted kept a [-\d.,]+ ms median overhead; to answer more, add run slots \(each slot adds 0\.80 req\/s\) or use async tools; clients should retry after Retry-After\.$/)
  for (const l of lines) assert.doesNotMatch(l.text.slice(0, -1), /[.;] [A-Z]|\.\s/, `one sentence: ${l.text}`)

  const flex = summaryLines([{ meta: syntheticMeta('flex-async', 'async') }], [analyzeVariant(syntheticMeta('flex-async', 'async'), tenSeconds({ p99Ms: 1587 }), loop(557))])
  assert.match(flex[0]!.text, /; limited by its tail: p99 overhead 337 ms over the 125 ms bound, its event loop: delay peaked at 557 ms \(bound 100 ms\); find what blocks the event loop/)
})

test('the comparison chart: answered and refused req/s stacked, p50 and p99 on their own axis, per variant', () => {
  const a = analyzeVariant(syntheticMeta('x', 'pool_threads'), tenSeconds({ errors: [err503(400)] }))
  const chart = summaryChart([a])!
  const series = chart.option.series as { name: string; data: (number | null)[]; yAxisIndex?: number; stack?: string }[]
  assert.deepEqual(series.map((s) => s.name), ['answered (2xx) req/s', 'refused (503) req/s', 'p50 ms', 'p99 ms'])
  assert.deepEqual(series.map((s) => s.data[0]), [Number(a.achievedRps.toFixed(1)), 40, Math.round(a.medianMs!), Math.round(a.p99Ms!)])
  assert.deepEqual(series.map((s) => s.yAxisIndex ?? 0), [0, 0, 1, 1])
  assert.equal(summaryChart([]), null)
})

test('report.md opens with the summary and the comparison chart, then the verdicts, the details, and labelled references', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-report-order-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeSyntheticBench(dir)
  await writeBenchReport(dir)
  const md = readFileSync(join(dir, 'report.md'), 'utf8')
  const at = (s: string) => {
    const i = md.indexOf(s)
    assert.ok(i >= 0, `report.md has ${s}`)
    return i
  }
  const order = ['## Summary', '- static-async answered', '- static-sync answered', '- broken failed', '](charts/summary.svg)', '## Verdicts',
    '## Results of this run', '## Analysis, per variant', '## Reference: The study\'s published figures', '## Reference: PromptFlow\'s pf serve', '## Charts']
  const positions = order.map(at)
  assert.deepEqual([...positions].sort((x, y) => x - y), positions, 'in this order')
  assert.match(md, /## Reference: The study's published figures\n\n_Reference, not measured in this run\. Source: the published performance study of PromptFlow's pf serve .*?; date: 2024; machine: 8 logical CPUs, 16 GB[^_]*_\n\n\| Metric \| study sync \(Flask, 500 users\) \|/)
  assert.match(md, /## Reference: PromptFlow's pf serve measured on a 2-core machine\n\n_Reference, not measured in this run\. Source: PromptFlow 1\.18.*?; date: recorded 2026-11-27; machine: 2 cores[^_]*_\n\n\| Run \| async req\/s/)

  const html = readFileSync(join(dir, 'report.html'), 'utf8')
  const hat = (s: string) => {
    const i = html.indexOf(s)
    assert.ok(i >= 0, `report.html has ${s}`)
    return i
  }
  const hpos = ['<section id="summary">', 'id="chart0"', '<section id="verdicts">', '<section id="results">', '<section id="analysis">',
    '<section id="reference-study">', '<section id="reference-promptflow">', 'id="chart1"'].map(hat)
  assert.deepEqual([...hpos].sort((x, y) => x - y), hpos, 'report.html in the same order')
  assert.match(html, /Reference, not measured in this run\. Source: PromptFlow 1\.18/)
  assert.match(html, /<td class="good">healthy<\/td>/)
  assert.match(html, /<td class="bad">backpressure<\/td>/)
})
