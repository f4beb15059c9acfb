// `--trace otlp=<collector>` on `floodgate run` and batch runs, as a user runs them, against a loopback
// OTLP/HTTP collector: the spans each run becomes, an llm node's GenAI span, a collector that is down,
// and each bad value of the flag.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { request } from 'node:http'
import { join } from 'node:path'
import { eachCase, runCli } from '../helpers/cli.js'
import { startCollector, type ReceivedSpan } from '../helpers/otlp.js'
import { freePort } from '../helpers/ports.js'
import { completion, fakeLlm, llmFlow, sendJson } from '../llm/helpers/servers.js'
import { serve, stop } from '../serve/cli-helpers.js'
import { postForEvents } from '../helpers/sse.js'

// An async tool on the loop, then a sync tool on the pool; "boom" fails the second.
const FLOW = `inputs:
  question: {type: string}
outputs:
  answer: {type: string, reference: "\${shout.output}"}
nodes:
- {name: wait, type: typescript, source: {type: code, path: wait.ts}, inputs: {q: "\${inputs.question}"}}
- {name: shout, type: typescript, source: {type: code, path: shout.ts}, inputs: {q: "\${wait.output}"}}
`
const WAIT = `import { sleep } from 'floodgate/tools'
export default async function wait({ q }: { q: string }) {
  await sleep(20)
  return q
}
`
const SHOUT = `import { sleepSync } from 'floodgate/tools'
export default function shout({ q }: { q: string }): string {
  sleepSync(10)
  if (q === 'boom') throw new Error('asked to fail')
  return q.toUpperCase()
}
`

/** A plain flow folder (no package.json), removed after the test. */
async function folder(t: TestContext, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-trace-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries({ 'flow.dag.yaml': FLOW, 'wait.ts': WAIT, 'shout.ts': SHOUT, ...files })) await writeFile(join(dir, name), text)
  return dir
}

/** The trace of each run: its root span and its children by name. */
function traces(spans: ReceivedSpan[]): Array<{ run: ReceivedSpan; children: Map<string, ReceivedSpan> }> {
  return spans
    .filter((s) => s.attributes.span_type === 'Flow')
    .map((run) => ({ run, children: new Map(spans.filter((s) => s.parentSpanId === run.spanId).map((s) => [s.name, s])) }))
}

function within(child: ReceivedSpan, parent: ReceivedSpan): boolean {
  return child.startNs >= parent.startNs && child.endNs <= parent.endNs && child.traceId === parent.traceId
}

test('floodgate run --trace: the run and each node (loop and pool) as spans, nested in time, inputs and outputs attached', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const dir = await folder(t)
  const r = await runCli(['run', dir, '--input', 'question=hi', '--trace', `otlp=${collector.url}`])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, new RegExp(`^trace: 3 spans exported to ${collector.url}/v1/traces\\n$`))
  const [one, ...rest] = traces(collector.spans)
  assert.equal(rest.length, 0)
  const { run, children } = one!
  assert.equal(collector.spans.length, 3)
  assert.equal(run.parentSpanId, undefined)
  assert.equal(run.name, run.attributes.function)
  assert.deepEqual(run.status, { code: 1 })
  assert.equal(run.attributes.inputs, '{"question":"hi"}')
  assert.equal(run.attributes.output, '{"answer":"HI"}')
  assert.deepEqual([...children.keys()].sort(), ['shout', 'wait'])
  const wait = children.get('wait')!
  const shout = children.get('shout')!
  assert.deepEqual([wait.attributes['floodgate.node.ran_on'], shout.attributes['floodgate.node.ran_on']], ['loop', 'pool'])
  assert.deepEqual([wait.attributes.output, shout.attributes.inputs, shout.attributes.output], ['"hi"', '{"q":"hi"}', '"HI"'])
  // One clock for the run, the loop and the pool thread: nodes inside the run, the second after the first.
  assert.ok(within(wait, run) && within(shout, run), JSON.stringify({ run: [run.startNs, run.endNs], wait: [wait.startNs, wait.endNs], shout: [shout.startNs, shout.endNs] }, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
  assert.ok(shout.startNs >= wait.endNs)
  assert.ok(wait.endNs - wait.startNs >= 19_000_000n && shout.endNs - shout.startNs >= 9_000_000n)
})

test('a batch run with --trace: one trace per line with batch_run_id and line_number, a failed line with ERROR status', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const dir = await folder(t, { 'data.jsonl': '{"q": "a"}\n{"q": "boom"}\n{"q": "c"}\n' })
  const out = join(dir, 'runs', 'traced')
  const r = await runCli(['run', dir, '--data', join(dir, 'data.jsonl'), '--column-mapping', 'question=${data.q}', '--out', out, '--trace', `otlp=${collector.url}`])
  assert.equal(r.code, 1, r.stderr) // a line failed
  assert.match(r.stderr, new RegExp(`trace: 9 spans exported to ${collector.url}/v1/traces\\n$`))
  const runs = traces(collector.spans).sort((a, b) => Number(a.run.attributes.line_number) - Number(b.run.attributes.line_number))
  assert.deepEqual(runs.map((x) => x.run.attributes.line_number), [0, 1, 2])
  assert.equal(new Set(runs.map((x) => x.run.traceId)).size, 3)
  for (const { run, children } of runs) {
    assert.equal(run.attributes.batch_run_id, 'traced')
    assert.equal(children.size, 2)
    for (const child of children.values()) assert.equal(child.attributes.line_number, run.attributes.line_number)
  }
  assert.deepEqual(runs[1]!.run.status, { code: 2, message: 'node "shout" failed: asked to fail' })
  assert.equal(runs[1]!.run.attributes['error.type'], 'TOOL_FAILED')
  assert.deepEqual(runs[1]!.children.get('shout')!.status, { code: 2, message: 'node "shout" failed: asked to fail' })
  assert.deepEqual(runs[1]!.children.get('wait')!.status, { code: 1 })
  assert.equal(runs[2]!.run.attributes.output, '{"answer":"C"}')
})

test('an llm node: a "chat <model>" CLIENT span under the node with the GenAI request, response and token usage', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const llm = await fakeLlm(t, (res) => sendJson(res, 200, { ...completion('Hello.'), id: 'chatcmpl-42', model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 } }))
  const dir = await llmFlow(t, { baseUrl: llm.baseUrl })
  const r = await runCli(['run', dir, '--trace', `otlp=${collector.url}`])
  assert.equal(r.code, 0, r.stderr)
  const [{ run, children }] = traces(collector.spans) as [ReturnType<typeof traces>[number]]
  const answer = children.get('answer')!
  assert.equal(answer.attributes.span_type, 'LLM')
  const chat = collector.spans.find((s) => s.parentSpanId === answer.spanId)!
  const port = Number(new URL(llm.baseUrl).port)
  assert.equal(chat.name, 'chat gpt-4o-mini')
  assert.equal(chat.kind, 3)
  assert.deepEqual(chat.attributes, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.request.stream': false,
    'gen_ai.request.max_tokens': 8,
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.id': 'chatcmpl-42',
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 21,
    'gen_ai.usage.output_tokens': 3,
    'server.address': '127.0.0.1',
    'server.port': port,
    framework: 'floodgate',
    span_type: 'LLM',
    'llm.response.model': 'gpt-4o-mini-2024-07-18',
    'llm.usage.prompt_tokens': 21,
    'llm.usage.completion_tokens': 3,
    'llm.usage.total_tokens': 24
  })
  assert.ok(within(chat, answer) && within(answer, run))
  assert.equal(run.attributes['__computed__.cumulative_token_count.total'], 24)
})

// A streamed reply as OpenAI sends it with stream_options.include_usage: id and model in every chunk,
// the finish reason on the choice's last chunk, then a chunk of its own with the usage and no choices.
// The last two come 400 ms after the rest, later than a trace made when the run returned would be sent.
function streamedReply(res: import('node:http').ServerResponse): void {
  const head = { id: 'chatcmpl-7', object: 'chat.completion.chunk', model: 'gpt-4o-mini-2024-07-18', usage: null }
  const events = [
    { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: { content: 'lo.' }, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
    { ...head, choices: [], usage: { prompt_tokens: 17, completion_tokens: 2, total_tokens: 19 } }
  ]
  const text = (list: typeof events): string => list.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  res.write(text(events.slice(0, 3)))
  setTimeout(() => res.end(`${text(events.slice(3))}data: [DONE]\n\n`), 400)
}

const STREAMED_CALL = {
  'gen_ai.request.stream': true,
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.response.id': 'chatcmpl-7',
  'gen_ai.response.finish_reasons': ['length'],
  'gen_ai.usage.input_tokens': 17,
  'gen_ai.usage.output_tokens': 2,
  'llm.usage.total_tokens': 19
}

test('a streamed llm call: its span has the response model, id, finish reasons and token usage the chunks carried (run and serve)', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const llm = await fakeLlm(t, streamedReply)
  const dir = await llmFlow(t, { baseUrl: llm.baseUrl, stream: true, inputs: '    stream_options: {include_usage: true}\n' })
  const r = await runCli(['run', dir, '--trace', `otlp=${collector.url}`])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /"answer": "Hello\."/)
  assert.deepEqual(llm.requests[0]!.body.stream_options, { include_usage: true })
  const chatSpans = (): ReceivedSpan[] => collector.spans.filter((s) => s.name === 'chat gpt-4o-mini')
  assert.equal(chatSpans().length, 1)
  assert.deepEqual(pick(chatSpans()[0]!.attributes, Object.keys(STREAMED_CALL)), STREAMED_CALL)
  // The call lasts to its last chunk, 400 ms after the first ones, and so do the node that streams it
  // and the run (PromptFlow's traced generators end when consumed).
  const lasted = (span: ReceivedSpan): number => Number(span.endNs - span.startNs) / 1e6
  assert.ok(lasted(chatSpans()[0]!) >= 395, `the chat span lasted ${lasted(chatSpans()[0]!)} ms`)
  const streamedBy = (chat: ReceivedSpan): { run: ReceivedSpan; node: ReceivedSpan } => {
    const node = collector.spans.find((s) => s.spanId === chat.parentSpanId)!
    return { node, run: collector.spans.find((s) => s.spanId === node.parentSpanId)! }
  }
  for (const span of Object.values(streamedBy(chatSpans()[0]!))) {
    assert.ok(span.endNs >= chatSpans()[0]!.endNs, `${span.name} ended ${Number(chatSpans()[0]!.endNs - span.endNs) / 1e6} ms before its stream`)
  }

  // Served, the run's trace waits for the end of its stream, where the usage comes.
  const { child, url, output } = await serve([dir, '--port', '0', '--workers', '1', '--trace', `otlp=${collector.url}`])
  t.after(() => stop(child))
  const events = await postForEvents(`${url}/score`, { question: 'hi' })
  assert.deepEqual(events.events.map((e) => e.text), ['data: {"answer":"Hel"}', 'data: {"answer":"lo."}'])
  await collector.waitForSpans(6)
  assert.equal(chatSpans().length, 2, output())
  assert.deepEqual(pick(chatSpans()[1]!.attributes, Object.keys(STREAMED_CALL)), STREAMED_CALL)
  assert.ok(lasted(chatSpans()[1]!) >= 395, `the served chat span lasted ${lasted(chatSpans()[1]!)} ms`)
  for (const span of Object.values(streamedBy(chatSpans()[1]!))) {
    assert.ok(span.endNs >= chatSpans()[1]!.endNs, `served, ${span.name} ended ${Number(chatSpans()[1]!.endNs - span.endNs) / 1e6} ms before its stream`)
  }
})

test('served, a streamed llm call cut short: its span is an ERROR with error.type, the run\'s answer an error event', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const head = { id: 'chatcmpl-8', object: 'chat.completion.chunk', model: 'm' }
  const llm = await fakeLlm(t, (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: 'Hel' } }] })}\n\n`)
  })
  const dir = await llmFlow(t, { baseUrl: llm.baseUrl, stream: true })
  const { child, url, output } = await serve([dir, '--port', '0', '--workers', '1', '--trace', `otlp=${collector.url}`])
  t.after(() => stop(child))
  const events = await postForEvents(`${url}/score`, { question: 'hi' })
  assert.equal(events.events[0]!.text, 'data: {"answer":"Hel"}')
  assert.match(events.events[1]!.text, /^event: error\ndata: .*the stream ended before data: \[DONE\]/)
  await collector.waitForSpans(3)
  const chat = collector.spans.find((s) => s.name === 'chat gpt-4o-mini')
  assert.ok(chat, output())
  assert.equal(chat.attributes['error.type'], 'UpstreamError')
  assert.equal(chat.status.code, 2)
  assert.equal(chat.attributes['gen_ai.response.id'], 'chatcmpl-8')
  // The run failed after all, as `floodgate run` says of it (below).
  const [{ run }] = traces(collector.spans) as [ReturnType<typeof traces>[number]]
  assert.equal(run.status.code, 2)
  assert.match(String(run.status.message), /the stream ended before data: \[DONE\]/)
})

test('served, a stream the client leaves after its first event: the run\'s span is an ERROR saying so, and lasts until then', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const llm = await fakeLlm(t, streamedReply)
  const dir = await llmFlow(t, { baseUrl: llm.baseUrl, stream: true })
  const { child, url, output } = await serve([dir, '--port', '0', '--workers', '1', '--trace', `otlp=${collector.url}`])
  t.after(() => stop(child))
  const sentAt = Date.now()
  const left = await new Promise<number>((resolve, reject) => {
    const req = request(`${url}/score`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } }, (res) => {
      res.once('data', () => {
        req.destroy()
        resolve(Date.now())
      })
    })
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)))
    req.end(JSON.stringify({ question: 'hi' }))
  })
  await collector.waitForSpans(3)
  const [{ run }] = traces(collector.spans) as [ReturnType<typeof traces>[number]]
  assert.equal(run.status.code, 2, output())
  assert.match(String(run.status.message), /the client closed the connection before the answer/)
  // The rest of the stream was due 400 ms after its first chunks: the run ended when the client left.
  const endedMs = Number(run.endNs / 1_000_000n) - sentAt
  assert.ok(endedMs < left - sentAt + 300, `the run span ended ${endedMs} ms after the request, the client left after ${left - sentAt} ms`)
})

test('floodgate run --trace of a streamed llm call cut short: the run fails, and its trace says so, the call\'s span with error.type', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const llm = await fakeLlm(t, (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(`data: ${JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'Hel' } }] })}\n\n`)
  })
  const dir = await llmFlow(t, { baseUrl: llm.baseUrl, stream: true })
  const r = await runCli(['run', dir, '--trace', `otlp=${collector.url}`])
  assert.notEqual(r.code, 0)
  assert.match(r.stderr, /the stream ended before data: \[DONE\]/)
  assert.match(r.stderr, /trace: 3 spans exported to /)
  const [{ run }] = traces(collector.spans) as [ReturnType<typeof traces>[number]]
  assert.equal(run.status.code, 2)
  assert.match(String(run.status.message), /the stream ended before data: \[DONE\]/)
  const chat = collector.spans.find((s) => s.name === 'chat gpt-4o-mini')!
  assert.equal(chat.attributes['error.type'], 'UpstreamError')
})

function pick(attributes: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, attributes[k]]))
}

test('a collector that is down fails neither the run nor the batch; the spans are counted failed on stderr', async (t) => {
  const port = await freePort()
  const dir = await folder(t, { 'data.jsonl': '{"q": "a"}\n{"q": "b"}\n' })
  const r = await runCli(['run', dir, '--input', 'question=hi', '--trace', `otlp=http://127.0.0.1:${port}`])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /"answer": "HI"/)
  assert.match(r.stderr, new RegExp(`^trace: 0 spans exported to http://127\\.0\\.0\\.1:${port}/v1/traces, 3 failed: .+\\n$`))
  const out = join(dir, 'runs', 'down')
  const b = await runCli(['run', dir, '--data', join(dir, 'data.jsonl'), '--column-mapping', 'question=${data.q}', '--out', out, '--trace', `otlp=http://127.0.0.1:${port}`])
  assert.equal(b.code, 0, b.stderr)
  assert.match(b.stdout, /done: 2 of 2 lines succeeded/)
  assert.match(b.stderr, /trace: 0 spans exported to .*, 6 failed: /)
})

test('a bad --trace is a usage error (exit 2) in run, batch runs and serve, before anything runs', async (t) => {
  const dir = await folder(t, { 'data.jsonl': '{"q": "a"}\n' })
  const example = '(e.g. --trace otlp=http://127.0.0.1:4318)'
  const cases: Array<[string[], string]> = [
    [['run', dir, '--input', 'question=hi', '--trace', 'http://127.0.0.1:4318'], `floodgate: --trace http://127.0.0.1:4318: expected otlp=<collector URL> ${example}`],
    [['run', dir, '--data', join(dir, 'data.jsonl'), '--trace', 'otlp=127.0.0.1:4318'], `floodgate: --trace otlp=127.0.0.1:4318: the collector URL needs its scheme: otlp=http://127.0.0.1:4318 ${example}`],
    [['serve', dir, '--port', '0', '--trace', 'otlp=grpc://127.0.0.1:4317'], `floodgate: --trace otlp=grpc://127.0.0.1:4317: the collector URL must be http:// or https:// ${example}`]
  ]
  await eachCase(cases, async ([args, expected]) => {
    const r = await runCli(args)
    assert.equal(r.stderr.trim(), expected)
    assert.equal(r.code, 2)
  })
})

test('a bad --trace-protocol or OTLP protocol variable is a usage error (exit 2) in run, batch runs and serve, before anything runs', async (t) => {
  const dir = await folder(t, { 'data.jsonl': '{"q": "a"}\n' })
  const trace = ['--trace', 'otlp=http://127.0.0.1:4318']
  const expected = 'http/protobuf (the default) or http/json'
  const cases: Array<[string[], Record<string, string>, string]> = [
    [['run', dir, '--input', 'question=hi', ...trace, '--trace-protocol', 'json'], {}, `floodgate: --trace-protocol json: expected ${expected}`],
    [['run', dir, '--data', join(dir, 'data.jsonl'), ...trace], { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, `floodgate: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc: OTLP over gRPC is not supported; expected ${expected}`],
    [['serve', dir, '--port', '0', ...trace], { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }, `floodgate: OTEL_EXPORTER_OTLP_PROTOCOL=http/xml: expected ${expected}`],
    [['serve', dir, '--port', '0', '--trace-protocol', 'http/json'], {}, 'floodgate: --trace-protocol http/json: it says how traces are sent; give --trace otlp=<collector URL> too']
  ]
  await eachCase(cases, async ([args, env, message]) => {
    const r = await runCli(args, { env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: '', OTEL_EXPORTER_OTLP_PROTOCOL: '', ...env } })
    assert.equal(r.stderr.trim(), message)
    assert.equal(r.code, 2)
    assert.equal(r.stdout, '')
  })
})

test('--trace-protocol http/json, and OTEL_EXPORTER_OTLP_PROTOCOL=http/json, send JSON; by default protobuf', async (t) => {
  const collector = await startCollector()
  t.after(() => collector.close())
  const dir = await folder(t)
  const trace = ['--trace', `otlp=${collector.url}`]
  const runs: Array<[string[], Record<string, string>]> = [
    [[], {}],
    [['--trace-protocol', 'http/json'], {}],
    [[], { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }]
  ]
  for (const [extra, env] of runs) {
    const r = await runCli(['run', dir, '--input', 'question=hi', ...trace, ...extra], { env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: '', OTEL_EXPORTER_OTLP_PROTOCOL: '', ...env } })
    assert.equal(r.code, 0, r.stderr)
  }
  const type = (s: string): string => s.replace(/^POST \/v1\/traces /, '')
  assert.deepEqual(collector.requests.map(type), ['application/x-protobuf', 'application/json', 'application/json'])
  // The same three spans each time, whichever the encoding.
  const shapes = traces(collector.spans).map(({ run, children }) => [run.name, run.attributes.output, [...children.keys()].sort().join(',')].join(' '))
  assert.equal(shapes.length, 3)
  assert.equal(new Set(shapes).size, 1, shapes.join('\n'))
})
