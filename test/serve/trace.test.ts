// `floodgate serve --trace otlp=<collector>` against a loopback OTLP/HTTP collector: each /score run as
// a trace holding its x-request-id under the caller's traceparent, failures as ERROR spans, the span
// counts in /metrics reconciling with what the collector got (in one process and summed over a cluster),
// and a collector that is down failing no request.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCollector, type ReceivedSpan } from '../helpers/otlp.js'
import { freePort } from '../helpers/ports.js'
import { call, score, serveFixture } from './helpers.js'
import { serve, stop } from './cli-helpers.js'

/** floodgate_trace_spans_total by outcome, from a /metrics text. */
function spanCounts(text: string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const m of text.matchAll(/^floodgate_trace_spans_total\{outcome="(\w+)"\} (\d+)/gm)) counts[m[1]!] = Number(m[2])
  return counts
}

/** Scrapes /metrics until `done` holds for the span counts (the tracing thread reports every 200 ms). */
async function countsWhen(base: string, done: (c: Record<string, number>) => boolean, timeoutMs = 15_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const counts = spanCounts((await call(`${base}/metrics`)).text)
    if (done(counts)) return counts
    if (Date.now() > deadline) return counts
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const runSpans = (spans: ReceivedSpan[]): ReceivedSpan[] => spans.filter((s) => s.attributes.span_type === 'Flow')

test('each /score run is a trace: a SERVER span with the request id under the caller\'s traceparent, its node inside; /metrics counts them', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const server = await serveFixture('echo', { trace: `otlp=${collector.url}` })
  t.after(() => server.close())
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  const res = await score(server.url, { text: 'hi' }, { 'x-request-id': 'req-abc', traceparent })
  assert.equal(res.status, 200)
  for (let i = 0; i < 19; i++) assert.equal((await score(server.url, { text: `n${i}` })).status, 200)
  await collector.waitForSpans(40)
  const counts = await countsWhen(server.url, (c) => c.exported === 40)
  assert.deepEqual(counts, { exported: 40, failed: 0, dropped: 0, unsampled: 0 })
  assert.equal(collector.spans.length, 40)

  const run = runSpans(collector.spans).find((s) => s.attributes.request_id === 'req-abc')!
  assert.equal(run.name, 'echo')
  assert.equal(run.kind, 2)
  assert.equal(run.traceId, '4bf92f3577b34da6a3ce929d0e0e4736')
  assert.equal(run.parentSpanId, '00f067aa0ba902b7')
  assert.deepEqual(run.attributes['http.request.header.x-request-id'], ['req-abc'])
  assert.equal(run.attributes.inputs, '{"text":"hi"}')
  assert.equal(run.attributes.output, '{"echo":"hi"}')
  const node = collector.spans.find((s) => s.parentSpanId === run.spanId)!
  assert.equal(node.name, 'echo')
  assert.equal(node.traceId, run.traceId)
  assert.ok(node.startNs >= run.startNs && node.endNs <= run.endNs)
  // Requests without a traceparent start their own traces; those without an x-request-id get the server's id.
  const others = runSpans(collector.spans).filter((s) => s !== run)
  assert.equal(others.length, 19)
  assert.equal(new Set(others.map((s) => s.traceId)).size, 19)
  for (const s of others) {
    assert.equal(s.parentSpanId, undefined)
    assert.match(String(s.attributes.request_id), /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/)
  }
})

test('a run that fails is an ERROR span with the error; the request still gets its 500', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const server = await serveFixture('throws', { trace: `otlp=${collector.url}` })
  t.after(() => server.close())
  const res = await score(server.url, {}, { 'x-request-id': 'req-fail' })
  assert.equal(res.status, 500)
  await collector.waitForSpans(2)
  const run = runSpans(collector.spans)[0]!
  assert.equal(run.attributes.request_id, 'req-fail')
  assert.deepEqual(run.status, { code: 2, message: 'node "explode" failed: the tool blew up on purpose' })
  assert.equal(run.attributes['error.type'], 'TOOL_FAILED')
  const node = collector.spans.find((s) => s.parentSpanId === run.spanId)!
  assert.deepEqual(node.status, { code: 2, message: 'node "explode" failed: the tool blew up on purpose' })
})

test('a collector that is down: every request answered as without tracing, the spans counted failed in /metrics', async (t) => {
  const port = await freePort()
  const server = await serveFixture('echo', { trace: `otlp=http://127.0.0.1:${port}` })
  t.after(() => server.close())
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => score(server.url, { text: `q${i}` })))
  assert.deepEqual(answers.map((a) => a.status), Array(50).fill(200))
  assert.deepEqual(answers.map((a) => a.body), Array.from({ length: 50 }, (_, i) => ({ echo: `q${i}` })))
  // Each export fails after its retries (2 s); then all 100 spans are counted, none exported.
  const counts = await countsWhen(server.url, (c) => c.failed + c.dropped === 100)
  assert.deepEqual(counts, { exported: 0, failed: 100, dropped: 0, unsampled: 0 })
})

test('floodgate serve --workers 2 --trace: both worker processes export, with a sync tool on the pool; /metrics sums their counts', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  // A plain folder: an async node on the loop, then a sync node on the pool.
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-serve-trace-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'flow.dag.yaml'), `inputs:
  q: {type: string}
outputs:
  a: {type: string, reference: "\${upper.output}"}
nodes:
- {name: first, type: typescript, source: {type: code, path: first.ts}, inputs: {q: "\${inputs.q}"}}
- {name: upper, type: typescript, source: {type: code, path: upper.ts}, inputs: {q: "\${first.output}"}}
`)
  await writeFile(join(dir, 'first.ts'), 'export default async function first({ q }: { q: string }) { await new Promise((r) => setTimeout(r, 5)); return q }\n')
  await writeFile(join(dir, 'upper.ts'), 'export default function upper({ q }: { q: string }): string { return q.toUpperCase() }\n')
  const served = await serve([dir, '--port', '0', '--workers', '2', '--log-level', 'warn', '--trace', `otlp=${collector.url}`])
  t.after(() => stop(served.child))
  const n = 60
  // Three at a time: within the admission of a flow with sync tools (--threads runs per worker).
  for (let i = 0; i < n; i += 3) {
    const answers = await Promise.all([0, 1, 2].map((k) => score(served.url, { q: `q${i + k}` })))
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200])
  }
  await collector.waitForSpans(n * 3, 20_000)
  const counts = await countsWhen(served.url, (c) => c.exported === n * 3)
  assert.deepEqual(counts, { exported: n * 3, failed: 0, dropped: 0, unsampled: 0 })
  const pids = new Set(collector.spans.map((s) => s.resource['process.pid']))
  assert.equal(pids.size, 2, `spans came from processes ${[...pids].join(', ')}`)
  for (const run of runSpans(collector.spans)) {
    const nodes = collector.spans.filter((s) => s.parentSpanId === run.spanId)
    assert.deepEqual(nodes.map((s) => [s.name, s.attributes['floodgate.node.ran_on']]).sort(), [['first', 'loop'], ['upper', 'pool']])
    for (const node of nodes) assert.equal(node.resource['process.pid'], run.resource['process.pid'])
  }
})
