// test:concurrent
// What a batch run measured (src/batch/stats.ts): exact percentiles of line and node durations, the
// tokens LLM nodes reported, and the figures of a resumed run's earlier session added in.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BatchStats } from '../../src/batch/stats.js'
import type { NodeTrace, RunTrace } from '../../src/executor/index.js'
import type { LlmCall } from '../../src/llm/call-info.js'

function node(name: string, durationMs: number, extra: Partial<NodeTrace> = {}): NodeTrace {
  return { node: name, startMs: 0, durationMs, status: 'ok', ranOn: 'loop', ...extra }
}

function run(durationMs: number, nodes: NodeTrace[]): RunTrace {
  return { startedAt: 0, durationMs, nodes }
}

const llm = (inputTokens?: number, outputTokens?: number): LlmCall =>
  ({ provider: 'openai', operation: 'chat', stream: false, serverAddress: '127.0.0.1', serverPort: 8000, startedAt: 0, inputTokens, outputTokens })

test('no line yet: counts of 0, every figure null, no tokens', () => {
  const json = new BatchStats().toJSON()
  assert.deepEqual(json.durationsMs, { line: { count: 0, meanMs: null, p50: null, p90: null, p95: null, p99: null, maxMs: null }, nodes: {} })
  assert.equal(json.tokens, null)
})

test('lines: exact percentiles and mean in ms (3 decimals); nodes that did not succeed are left out', () => {
  const stats = new BatchStats()
  // 100 lines of 0.01..1 ms (HDR holds values under 2,048 us exactly at 3 significant digits); node "a" ran
  // in each for twice as long, "b" failed in each, "c" was bypassed.
  for (let i = 1; i <= 100; i++) {
    stats.add(run(i / 100, [node('a', i / 50), node('b', 5, { status: 'failed' }), node('c', 0, { status: 'bypassed' })]))
  }
  const json = stats.toJSON()
  assert.deepEqual(json.durationsMs.line, { count: 100, meanMs: 0.505, p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, maxMs: 1 })
  assert.deepEqual(Object.keys(json.durationsMs.nodes), ['a'])
  assert.deepEqual(json.durationsMs.nodes.a, { count: 100, meanMs: 1.01, p50: 1, p90: 1.8, p95: 1.9, p99: 1.98, maxMs: 2 })
  assert.equal(json.tokens, null)
})

test('a duration under a microsecond is recorded as 1 us; a fraction of a ms is kept to the microsecond', () => {
  const stats = new BatchStats()
  stats.add(run(0, [node('a', 0.0004)]))
  stats.add(run(1.2344, [node('a', 0.0016)]))
  const json = stats.toJSON()
  assert.equal(json.durationsMs.line.p50, 0.001)
  assert.equal(json.durationsMs.line.maxMs, 1.234)
  assert.equal(json.durationsMs.nodes.a!.maxMs, 0.002)
})

test("tokens: summed over the LLM nodes that reported either count; a node with neither, or none, adds nothing", () => {
  const stats = new BatchStats()
  stats.add(run(10, [node('plain', 1), node('nothing', 1, { llm: llm() })]))
  assert.equal(stats.toJSON().tokens, null)
  stats.add(run(10, [node('ask', 5, { llm: llm(100, 20) }), node('more', 5, { llm: llm(7) }), node('out', 5, { llm: llm(undefined, 3) })]))
  stats.add(run(10, [node('ask', 5, { status: 'failed', llm: llm(1000, 1000) })]))
  assert.deepEqual(stats.toJSON().tokens, { input: 107, output: 23, total: 130 })
})

test("a resumed run adds the earlier session's histograms and tokens: the figures cover both", () => {
  const earlier = new BatchStats()
  for (const ms of [0.1, 0.2, 0.3]) earlier.add(run(ms, [node('a', ms), node('old', 1, { llm: llm(5, 5) })]))
  const now = new BatchStats()
  now.merge(earlier.toJSON())
  for (const ms of [0.4, 0.5]) now.add(run(ms, [node('a', ms), node('new', 2, { llm: llm(1, 2) })]))
  const json = now.toJSON()
  assert.deepEqual(json.durationsMs.line, { count: 5, meanMs: 0.3, p50: 0.3, p90: 0.5, p95: 0.5, p99: 0.5, maxMs: 0.5 })
  assert.equal(json.durationsMs.nodes.a!.count, 5)
  assert.equal(json.durationsMs.nodes.old!.count, 3)
  assert.equal(json.durationsMs.nodes.new!.count, 2)
  assert.deepEqual(json.tokens, { input: 17, output: 19, total: 36 })
  // What a third session reads back is what this one holds.
  const third = new BatchStats()
  third.merge(json)
  assert.deepEqual(third.toJSON(), json)
  // Merged into a session that has already recorded the same node: both kept.
  const busy = new BatchStats()
  busy.add(run(0.6, [node('a', 0.6)]))
  busy.merge(earlier.toJSON())
  assert.equal(busy.toJSON().durationsMs.nodes.a!.count, 4)
  assert.equal(busy.toJSON().durationsMs.line.count, 4)
  // A session that merged no tokens and saw none keeps none.
  const quiet = new BatchStats()
  quiet.merge({ ...json, tokens: null })
  assert.equal(quiet.toJSON().tokens, null)
})
