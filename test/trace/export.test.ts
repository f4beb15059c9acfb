// RunTracer against a real loopback OTLP/HTTP collector: the spans a run becomes (names, kinds, parents,
// times, attributes), and what a collector that refuses or never answers does to runs (nothing) and to
// the counts (every span exported, failed or dropped, none lost).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { startCollector, type ReceivedSpan } from '../helpers/otlp.js'
import { freePort } from '../helpers/ports.js'
import { CAPTURE_MAX, RunTracer, parseTraceFlag, traceSummary } from '../../src/trace/index.js'
import type { LlmCall, RunTrace } from '../../src/executor/types.js'

const FLOW = { name: 'qa', kind: 'dag' }
const T0 = 1_700_000_000_000.25

// Epoch ms to ns as the SDK does (microseconds are all a double holds at this size).
const ns = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name)
  assert.equal(found.length, 1, `one span named ${name}: ${spans.map((s) => s.name).join(', ')}`)
  return found[0]!
}

const CALL: LlmCall = {
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  responseId: 'chatcmpl-1',
  inputTokens: 12,
  outputTokens: 5,
  finishReasons: ['stop'],
  stream: false,
  maxTokens: 64,
  temperature: 0.2,
  serverAddress: '127.0.0.1',
  serverPort: 9999,
  startedAt: T0 + 12,
  endedAt: T0 + 40
}

/** A run of four nodes: a loop node, a pool node (timed by its thread), an llm node, a bypassed one. */
function fourNodeTrace(): RunTrace {
  return {
    requestId: 'req-7',
    startedAt: T0,
    durationMs: 50,
    nodes: [
      { node: 'prep', startMs: 0.5, durationMs: 10, status: 'ok', ranOn: 'loop', inputs: { q: 'hi' }, output: 'HI' },
      { node: 'crunch', startMs: 11, durationMs: 9, queuedMs: 2, status: 'ok', ranOn: 'pool', threadStartedAt: T0 + 11.5, threadEndedAt: T0 + 19.5, inputs: { n: 1 }, output: { big: 'x'.repeat(CAPTURE_MAX * 2) } },
      { node: 'answer', startMs: 11, durationMs: 30, status: 'ok', ranOn: 'loop', llm: CALL, inputs: { question: 'hi' }, output: 'Hello.' },
      { node: 'skip', startMs: 11, durationMs: 0, status: 'bypassed', ranOn: 'loop' }
    ]
  }
}

/** What each OTLP encoding is sent as: protobuf by default (OTLP's default), JSON when asked. */
const ENCODINGS = [
  { protocol: undefined, contentType: 'application/x-protobuf' },
  { protocol: 'http/json', contentType: 'application/json' }
] as const

for (const { protocol, contentType } of ENCODINGS) {
test(`${protocol ?? 'by default'} (${contentType}): a run becomes a span per run and per node, and a GenAI client span per LLM call, with exact parents, times and attributes`, async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const tracer = new RunTracer(parseTraceFlag(`otlp=${collector.url}`, protocol, {})!)
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
  tracer.run(FLOW, fourNodeTrace(), { q: 'hi' }, { answer: 'Hello.' }, null, { parent: traceparent })
  const stats = await tracer.close()
  assert.deepEqual(stats, { received: 6, exported: 6, failed: 0, dropped: 0, unsampled: 0, lastError: null })
  assert.match(traceSummary(tracer.options, stats), /^trace: 6 spans exported to http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/)
  assert.deepEqual(collector.requests, [`POST /v1/traces ${contentType}`])
  const spans = collector.spans
  assert.equal(spans.length, 6)

  const run = byName(spans, 'qa')
  // The caller's trace and span (traceparent) hold the run.
  assert.equal(run.traceId, '0af7651916cd43dd8448eb211c80319c')
  assert.equal(run.parentSpanId, 'b7ad6b7169203331')
  assert.match(run.spanId, /^[\da-f]{16}$/)
  for (const s of spans) assert.equal(s.traceId, run.traceId)
  assert.equal(run.kind, 2) // SERVER: a served request's run
  // W3C sampled, and OTLP's bits for a parent that is remote (the caller's) or local.
  assert.equal(run.flags, 0x301)
  assert.deepEqual(run.status, { code: 1 })
  assert.deepEqual([run.startNs, run.endNs], [ns(T0), ns(T0 + 50)])
  assert.deepEqual(run.attributes, {
    framework: 'floodgate',
    span_type: 'Flow',
    function: 'qa',
    execution_target: 'dag',
    request_id: 'req-7',
    'http.request.header.x-request-id': ['req-7'],
    inputs: '{"q":"hi"}',
    output: '{"answer":"Hello."}',
    '__computed__.cumulative_token_count.prompt': 12,
    '__computed__.cumulative_token_count.completion': 5,
    '__computed__.cumulative_token_count.total': 17
  })
  assert.deepEqual(run.resource, { 'service.name': 'floodgate', 'service.version': (await import('../../src/version.js')).version, 'process.pid': process.pid })
  assert.equal(run.scope, 'floodgate')

  const prep = byName(spans, 'prep')
  assert.equal(prep.parentSpanId, run.spanId)
  assert.equal(prep.kind, 1)
  assert.equal(prep.flags, 0x101)
  assert.deepEqual([prep.startNs, prep.endNs], [ns(T0 + 0.5), ns(T0 + 10.5)])
  assert.deepEqual(prep.attributes, {
    framework: 'floodgate',
    span_type: 'Function',
    function: 'prep',
    node_name: 'prep',
    'floodgate.node.ran_on': 'loop',
    'floodgate.node.status': 'ok',
    inputs: '{"q":"hi"}',
    output: '"HI"'
  })

  // A pool node is timed by its thread's clock, and says how long it waited for a thread.
  const crunch = byName(spans, 'crunch')
  assert.equal(crunch.parentSpanId, run.spanId)
  assert.deepEqual([crunch.startNs, crunch.endNs], [ns(T0 + 11.5), ns(T0 + 19.5)])
  assert.equal(crunch.attributes['floodgate.node.ran_on'], 'pool')
  assert.equal(crunch.attributes['floodgate.node.queued_ms'], 2)
  // Outputs are cut to CAPTURE_MAX characters, saying how long they were.
  const output = crunch.attributes.output as string
  assert.equal(output, `${JSON.stringify({ big: 'x'.repeat(CAPTURE_MAX * 2) }).slice(0, CAPTURE_MAX)}...(${CAPTURE_MAX * 2 + 10} characters)`)

  const answer = byName(spans, 'answer')
  assert.equal(answer.parentSpanId, run.spanId)
  assert.equal(answer.attributes.span_type, 'LLM')
  const chat = byName(spans, 'chat gpt-4o-mini')
  assert.equal(chat.parentSpanId, answer.spanId)
  assert.equal(chat.kind, 3) // CLIENT
  assert.deepEqual(chat.status, { code: 1 })
  assert.deepEqual([chat.startNs, chat.endNs], [ns(T0 + 12), ns(T0 + 40)])
  assert.deepEqual(chat.attributes, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.request.stream': false,
    'gen_ai.request.max_tokens': 64,
    'gen_ai.request.temperature': 0.2,
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.id': 'chatcmpl-1',
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 12,
    'gen_ai.usage.output_tokens': 5,
    'server.address': '127.0.0.1',
    'server.port': 9999,
    framework: 'floodgate',
    span_type: 'LLM',
    'llm.response.model': 'gpt-4o-mini-2024-07-18',
    'llm.usage.prompt_tokens': 12,
    'llm.usage.completion_tokens': 5,
    'llm.usage.total_tokens': 17
  })

  // A bypassed node: a span with no status (it did not run), under the run.
  const skip = byName(spans, 'skip')
  assert.equal(skip.parentSpanId, run.spanId)
  assert.deepEqual(skip.status, { code: 0 })
  assert.equal(skip.attributes['floodgate.node.status'], 'bypassed')
})
}

test('a failed run: ERROR status with the message on the run and the node, error.type the error code; a batch line carries batch_run_id and line_number', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const tracer = new RunTracer(parseTraceFlag(`otlp=${collector.url}`)!)
  const trace: RunTrace = {
    startedAt: T0,
    durationMs: 5,
    nodes: [
      { node: 'prep', startMs: 1, durationMs: 3, status: 'failed', ranOn: 'loop', error: 'node "prep" failed: boom', inputs: { q: 'x' } },
      { node: 'fetch', startMs: 1, durationMs: 3, status: 'cancelled', ranOn: 'loop', error: 'cancelled: node "prep" failed: boom' }
    ]
  }
  tracer.run(FLOW, trace, { q: 'x' }, null, { code: 'tool_error', message: 'node "prep" failed: boom' }, { batchRunId: 'qa-20260101', line: 3 })
  await tracer.close()
  const run = byName(collector.spans, 'qa')
  assert.equal(run.parentSpanId, undefined)
  assert.equal(run.kind, 1) // INTERNAL: not a served request
  assert.deepEqual(run.status, { code: 2, message: 'node "prep" failed: boom' })
  assert.equal(run.attributes['error.type'], 'tool_error')
  assert.equal(run.attributes.batch_run_id, 'qa-20260101')
  assert.equal(run.attributes.line_number, 3)
  assert.equal(run.attributes.output, undefined)
  const prep = byName(collector.spans, 'prep')
  assert.deepEqual(prep.status, { code: 2, message: 'node "prep" failed: boom' })
  assert.equal(prep.attributes.line_number, 3)
  assert.equal(prep.attributes.output, undefined)
  // A node the failure cut off is an error too, saying why.
  const fetch = byName(collector.spans, 'fetch')
  assert.deepEqual(fetch.status, { code: 2, message: 'cancelled: node "prep" failed: boom' })
  assert.equal(fetch.attributes['floodgate.node.status'], 'cancelled')
})

test('a traceparent that is not W3C (or all zeros) is ignored: the run starts its own trace; one flagged not sampled leaves the run out, counted', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const tracer = new RunTracer(parseTraceFlag(`otlp=${collector.url}`)!)
  const trace: RunTrace = { requestId: 'r', startedAt: T0, durationMs: 1, nodes: [] }
  for (const parent of ['garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01']) {
    tracer.run(FLOW, trace, {}, {}, null, { parent })
  }
  // A caller that says "not sampled" (flags 00) is obeyed, and the run counted as such.
  tracer.run(FLOW, trace, {}, {}, null, { parent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' })
  const stats = await tracer.close()
  assert.equal(collector.spans.length, 3)
  for (const s of collector.spans) {
    assert.equal(s.parentSpanId, undefined)
    assert.notEqual(s.traceId, '0af7651916cd43dd8448eb211c80319c')
  }
  assert.deepEqual([stats.exported, stats.unsampled, stats.failed, stats.dropped], [3, 1, 0, 0])
  assert.match(traceSummary(tracer.options, stats), /^trace: 3 spans exported to \S+, 1 not sampled$/)
})

test('a collector that refuses connections: run() never waits, close() returns within its bound, every span counted failed', async () => {
  const port = await freePort()
  const tracer = new RunTracer(parseTraceFlag(`otlp=http://127.0.0.1:${port}`)!)
  const trace: RunTrace = { startedAt: T0, durationMs: 1, nodes: [{ node: 'a', startMs: 0, durationMs: 1, status: 'ok', ranOn: 'loop' }] }
  // 2,000 runs recorded while every export fails after its retries: none of it waits on the network.
  const t1 = performance.now()
  for (let i = 0; i < 2000; i++) tracer.run(FLOW, trace, { i }, { i }, null)
  const recording = performance.now() - t1
  assert.ok(recording < 1000, `recording 2,000 runs took ${Math.round(recording)} ms`)
  const t0 = performance.now()
  const stats = await tracer.close(1000)
  const took = performance.now() - t0
  assert.ok(took < 3000, `close took ${Math.round(took)} ms`)
  assert.equal(stats.exported, 0)
  assert.equal(stats.failed + stats.dropped, 4000)
  assert.ok(stats.failed > 0)
  // Refused (the export's own error), or not sent before the bound (a thread slow to start on a busy machine).
  assert.match(stats.lastError ?? '', /ECONNREFUSED|collector did not take the last spans within 1000 ms|tracing thread did not finish exporting within 1000 ms/)
  assert.match(traceSummary(tracer.options, stats), new RegExp(`^trace: 0 spans exported to http://127\\.0\\.0\\.1:${port}/v1/traces, .*${stats.failed} failed: `))
})

test('a collector that never answers: past the bound of spans waiting, new runs are dropped and counted; nothing is lost from the counts', async (t) => {
  // Accepts connections and reads nothing back: every export waits for its timeout.
  const sockets = new Set<import('node:net').Socket>()
  const hole = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
  })
  await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) => hole.close(() => resolve()))
  })
  const port = (hole.address() as AddressInfo).port
  const tracer = new RunTracer(parseTraceFlag(`otlp=http://127.0.0.1:${port}`)!, { maxPending: 100, batchSize: 50, delayMs: 50, exportTimeoutMs: 20_000 })
  const trace: RunTrace = { startedAt: T0, durationMs: 1, nodes: [{ node: 'a', startMs: 0, durationMs: 1, status: 'ok', ranOn: 'loop' }] }
  const runs = 3000
  for (let i = 0; i < runs; i++) {
    tracer.run(FLOW, trace, { i }, { i }, null)
    // Spread over ~1.5 s: the thread reports what it took every 200 ms, and is sent more, which it drops.
    if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const stats = await tracer.close(500)
  assert.equal(stats.exported, 0)
  // No export ends before close (their timeout is 20 s): at most maxPending spans were ever waiting, and
  // they fail at close; every other span was dropped.
  assert.ok(stats.failed <= 100, `failed ${stats.failed}`)
  assert.equal(stats.exported + stats.failed + stats.dropped, runs * 2)
})

test('--trace: each bad value says what is wrong and shows a good one', () => {
  const example = '(e.g. --trace otlp=http://127.0.0.1:4318)'
  assert.throws(() => parseTraceFlag('http://127.0.0.1:4318'), { name: 'UsageError', message: `--trace http://127.0.0.1:4318: expected otlp=<collector URL> ${example}` })
  assert.throws(() => parseTraceFlag('jaeger=http://x'), { message: `--trace jaeger=http://x: expected otlp=<collector URL> ${example}` })
  assert.throws(() => parseTraceFlag('otlp='), { message: `--trace otlp=: expected otlp=<collector URL> ${example}` })
  assert.throws(() => parseTraceFlag('otlp=127.0.0.1:4318'), { message: `--trace otlp=127.0.0.1:4318: the collector URL needs its scheme: otlp=http://127.0.0.1:4318 ${example}` })
  assert.throws(() => parseTraceFlag('otlp=localhost:4318'), { message: `--trace otlp=localhost:4318: the collector URL needs its scheme: otlp=http://localhost:4318 ${example}` })
  assert.throws(() => parseTraceFlag('otlp=http://exa mple:4318'), { message: `--trace otlp=http://exa mple:4318: "http://exa mple:4318" is not a URL ${example}` })
  assert.throws(() => parseTraceFlag('otlp=grpc://127.0.0.1:4317'), { message: `--trace otlp=grpc://127.0.0.1:4317: the collector URL must be http:// or https:// ${example}` })
  assert.equal(parseTraceFlag(undefined, undefined, {}), null)
  assert.deepEqual(parseTraceFlag('otlp=http://127.0.0.1:4318', undefined, {}), { url: 'http://127.0.0.1:4318/v1/traces', protocol: 'http/protobuf' })
  assert.deepEqual(parseTraceFlag('otlp=http://collector:4318/', undefined, {}), { url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' })
  assert.deepEqual(parseTraceFlag('otlp=https://otel.example/api/traces', undefined, {}), { url: 'https://otel.example/api/traces', protocol: 'http/protobuf' })
})

test('--trace-protocol and the OTLP protocol variables: http/protobuf by default, http/json when asked; each bad value named exactly', () => {
  const url = 'otlp=http://127.0.0.1:4318'
  const protocolOf = (flag: string | undefined, env: NodeJS.ProcessEnv): string => parseTraceFlag(url, flag, env)!.protocol
  assert.equal(protocolOf(undefined, {}), 'http/protobuf')
  assert.equal(protocolOf('http/json', {}), 'http/json')
  assert.equal(protocolOf('http/protobuf', {}), 'http/protobuf')
  // The flag over the traces variable over the general one; an empty variable is unset.
  assert.equal(protocolOf(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), 'http/json')
  assert.equal(protocolOf(undefined, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }), 'http/json')
  assert.equal(protocolOf(undefined, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: '', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), 'http/json')
  assert.equal(protocolOf('http/protobuf', { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }), 'http/protobuf')
  // A bad variable does not matter when the flag decides, nor when nothing is traced.
  assert.equal(protocolOf('http/json', { OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' }), 'http/json')
  assert.equal(parseTraceFlag(undefined, undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' }), null)

  const expected = 'http/protobuf (the default) or http/json'
  assert.throws(() => protocolOf('json', {}), { name: 'UsageError', message: `--trace-protocol json: expected ${expected}` })
  assert.throws(() => protocolOf('HTTP/JSON', {}), { message: `--trace-protocol HTTP/JSON: expected ${expected}` })
  assert.throws(() => protocolOf('grpc', {}), { message: `--trace-protocol grpc: OTLP over gRPC is not supported; expected ${expected}` })
  assert.throws(() => protocolOf(undefined, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), {
    message: `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc: OTLP over gRPC is not supported; expected ${expected}`
  })
  assert.throws(() => protocolOf(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }), { message: `OTEL_EXPORTER_OTLP_PROTOCOL=http/xml: expected ${expected}` })
  assert.throws(() => parseTraceFlag(undefined, 'http/json', {}), { name: 'UsageError', message: '--trace-protocol http/json: it says how traces are sent; give --trace otlp=<collector URL> too' })
})
