// The bench's streaming analysis on synthetic runs: TTFT and ITL added over the floor (median and p99),
// each verdict on its side of its limit, with the figures quoted in its sentence; no floor; failures.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LlmRecorder } from '../../src/load/llm-recorder.js'
import { analyzeLlm, LLM_LIMITS } from '../../src/report/bench/llm-analysis.js'
import type { VariantKind, VariantRecord } from '../../src/report/bench/data.js'
import { syntheticMeta, syntheticResult } from './helpers/synthetic.js'

interface StreamSpec {
  /** Every request's TTFT is ttft (ms), except one in 50 at ttftTail (so it is the p99). */
  ttft: number
  ttftTail?: number
  /** Every gap is itl (ms), except one in 50 at itlTail. */
  itl: number
  itlTail?: number
  failed?: number
}

/** A variant whose 200 requests streamed 21 tokens each as `spec` says. */
function variant(name: string, kind: VariantKind, spec: StreamSpec): VariantRecord {
  const result = syntheticResult({ users: 10, spawnRate: 10, runTimeSec: 10, rps: 20, medianMs: 500, errors: spec.failed
    ? [{ method: 'POST', name: '/score', kind: 'stream', error: "StreamError('cut')", occurrences: spec.failed }] : [] })
  const rec = new LlmRecorder()
  for (let i = 0; i < 200; i++) {
    const ttft = i % 50 === 49 ? spec.ttftTail ?? spec.ttft : spec.ttft
    rec.firstToken(ttft)
    let at = ttft
    for (let k = 0; k < 20; k++) {
      const gap = (i * 20 + k) % 50 === 49 ? spec.itlTail ?? spec.itl : spec.itl
      rec.nextToken(gap)
      at += gap
    }
    rec.finish({ startedAt: 0, firstAt: ttft, lastAt: at, contentEvents: 21, maxGapMs: spec.itl, usageTokens: 21, promptTokens: 5 }, true)
  }
  result.llm = rec.toResult()
  return { meta: syntheticMeta(name, kind), result }
}

const FLOOR: StreamSpec = { ttft: 300, ttftTail: 320, itl: 20, itlTail: 22 }

test('each variant against the floor: added TTFT and ITL, median and p99, and the verdict on its limits', () => {
  const records = [
    variant('mock-floor', 'direct', FLOOR),
    variant('thin', 'async', { ttft: 305, ttftTail: 330, itl: 20.5, itlTail: 23 }),
    variant('slow-start', 'async', { ttft: 340, ttftTail: 360, itl: 20, itlTail: 22 }),
    variant('slow-tokens', 'async', { ttft: 302, ttftTail: 322, itl: 23, itlTail: 25 }),
    variant('tail', 'async', { ttft: 302, ttftTail: 500, itl: 20, itlTail: 22 }),
    variant('failing', 'async', { ...FLOOR, failed: 7 })
  ]
  const byName = new Map(analyzeLlm(records).map((a) => [a.name, a]))
  assert.deepEqual([...byName.keys()], ['mock-floor', 'thin', 'slow-start', 'slow-tokens', 'tail', 'failing'])
  assert.deepEqual([...byName.values()].map((a) => a.verdict.kind),
    ['floor', 'transparent', 'delays-first-token', 'slows-tokens', 'adds-tail', 'stream-failures'])

  const floor = byName.get('mock-floor')!
  assert.equal(floor.added, null)
  // HDR gives the top of a value's bucket (20 ms: 20.015); 200 x 21 tokens over the 10.8 s run: 389 tokens/s.
  assert.equal(floor.verdict.text, 'floor: the LLM alone, the figures the other variants are compared with: TTFT median 300 ms, ' +
    'p99 320 ms; ITL median 20.02 ms, p99 22.00 ms; 389 tokens/s')

  const thin = byName.get('thin')!
  assert.equal(thin.floor, 'mock-floor')
  // Within one HDR bucket (0.256 ms wide around 300 ms).
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 0.3, `${what}: ${a} vs ${b}`)
  close(thin.added!.ttftMedianMs, 5, 'TTFT median added')
  close(thin.added!.ttftP99Ms, 10, 'TTFT p99 added')
  close(thin.added!.itlMedianMs, 0.5, 'ITL median added')
  close(thin.added!.itlP99Ms, 1, 'ITL p99 added')
  assert.match(thin.verdict.text, /^transparent: the flow adds 5\.\d\d ms to the median TTFT and 0\.5\d ms to the median ITL, within 10 ms \/ 1 ms/)
  assert.match(thin.verdict.text, /TTFT median 305 ms \(mock-floor 300 ms, \+5\.\d\d ms\), p99 330 ms \(\+10\.\d\d ms\)/)

  assert.match(byName.get('slow-start')!.verdict.text, /^delays the first token: the flow adds 40\.\d\d ms to the median TTFT \(13\.\d% of the LLM's own\)/)
  assert.match(byName.get('slow-tokens')!.verdict.text, /^slows the tokens: the flow adds 2\.99 ms to the median gap between tokens \(14\.9% of the LLM's own\); .*ITL median 23\.01 ms \(20\.02 ms, \+2\.99 ms\)/)
  assert.match(byName.get('tail')!.verdict.text, /^adds to the tail: the flow adds 180 ms to the p99 TTFT and 0\.00 ms to the p99 ITL; TTFT median 302 ms/)
  const failing = byName.get('failing')!
  assert.match(failing.verdict.text, /^stream failures: 7 of 207 requests failed \(3\.38%\)/)
  assert.deepEqual(failing.findings.map((f) => f.kind), ['stream-failures', 'transparent'])
})

test('the limits are where the table puts them: just under is transparent, just over is not', () => {
  const under = FLOOR.ttft + LLM_LIMITS.ttftMedian.share * FLOOR.ttft - 1 // 314 ms: 14 ms added, under 5% of 300 = 15 ms
  const over = FLOOR.ttft + LLM_LIMITS.ttftMedian.share * FLOOR.ttft + 1
  const kinds = analyzeLlm([
    variant('floor', 'direct', FLOOR),
    variant('under', 'async', { ...FLOOR, ttft: under, ttftTail: under + 20 }),
    variant('over', 'async', { ...FLOOR, ttft: over, ttftTail: over + 20 })
  ]).map((a) => a.verdict.kind)
  assert.deepEqual(kinds, ['floor', 'transparent', 'delays-first-token'])
})

test('without a variant straight at the LLM there is nothing to compare with, and the analysis says so', () => {
  const [a] = analyzeLlm([variant('flow', 'async', FLOOR), { meta: syntheticMeta('plain', 'direct'), result: syntheticResult({ users: 1, spawnRate: 1, runTimeSec: 2, rps: 1, medianMs: 10 }) }])
  assert.equal(a!.verdict.kind, 'no-floor')
  assert.equal(a!.added, null)
  assert.match(a!.verdict.text, /^no floor: no variant measured the LLM alone/)
  assert.equal(analyzeLlm([{ meta: syntheticMeta('plain', 'direct'), result: syntheticResult({ users: 1, spawnRate: 1, runTimeSec: 2, rps: 1, medianMs: 10 }) }]).length, 0,
    'a bench without streams has no streaming analysis')
})
