// The HTTP API against real loopback servers: pf serve's routes, the error envelope, and every bad input
// the issue names, each followed by a check that the server still serves.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { version } from '../../src/version.js'
import { assertServes, call, score, serveFixture } from './helpers.js'
import { postForEvents } from '../helpers/sse.js'
import { Readable, Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import pino from 'pino'
import { request } from 'undici'
import type { RunTrace } from '../../src/executor/types.js'

test('typed flow: inputs, defaults, bad input and the envelope', async (t) => {
  const server = await serveFixture('typed')
  t.after(() => server.close())
  const base = server.url

  await t.test('a good request answers the outputs; defaults fill what is missing', async () => {
    const res = await score(base, { question: 'hi' })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { answer: { question: 'hi', history: 0, n: 1 } })
    assert.match(String(res.headers['content-type']), /^application\/json/)
  })

  await t.test('unknown extra fields are ignored, as pf serve does', async () => {
    const res = await score(base, { question: 'hi', n: 2, extra: 'ignored', more: { a: 1 } })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { answer: { question: 'hi', history: 0, n: 2 } })
  })

  await t.test('a value sent as text is read by the input type, as pf serve reads it', async () => {
    const res = await score(base, { question: 'hi', n: '7', chat_history: '[1, 2]' })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { answer: { question: 'hi', history: 2, n: 7 } })
  })

  await t.test('malformed JSON is 400 with the envelope', async () => {
    const res = await score(base, '{"question": "hi",')
    assert.equal(res.status, 400)
    const body = res.body as { error: { code: string; message: string; inner_error: { code: string } } }
    assert.equal(body.error.code, 'UserError')
    assert.match(body.error.message, /^request body is not valid JSON \(.+\); a flow with 3 inputs \(question, chat_history, n\) needs a JSON object whose keys are its inputs$/)
    assert.equal(body.error.inner_error.code, 'BAD_REQUEST')
    await assertServes(base)
  })

  await t.test('a JSON array or string for a multi-input flow is 400', async () => {
    const array = await score(base, '[1, 2]')
    assert.equal(array.status, 400)
    assert.deepEqual(array.body, {
      error: {
        code: 'UserError',
        message: 'request body must be a JSON object whose keys are the flow inputs; got an array, and the flow has 3 inputs (question, chat_history, n)',
        inner_error: { code: 'BAD_REQUEST', field: 'body' }
      }
    })
    const str = await score(base, '"hello"')
    assert.equal(str.status, 400)
    assert.equal(
      (str.body as { error: { message: string } }).error.message,
      'request body must be a JSON object whose keys are the flow inputs; got a string, and the flow has 3 inputs (question, chat_history, n)'
    )
    await assertServes(base)
  })

  await t.test('a value of the wrong type is 400 naming the input', async () => {
    const res = await score(base, { question: 'hi', n: 'three' })
    assert.equal(res.status, 400)
    const body = res.body as { error: { code: string; message: string; inner_error: { code: string; input?: string } } }
    assert.equal(body.error.code, 'UserError')
    assert.equal(body.error.inner_error.code, 'INPUT_INVALID')
    assert.equal(body.error.message, 'input "n": expected int, got a string that is not an integer')
    const list = await score(base, { question: 'hi', chat_history: 'not a list' })
    assert.equal(list.status, 400)
    assert.match((list.body as { error: { message: string } }).error.message, /chat_history/)
    await assertServes(base)
  })

  await t.test('a missing required input is 400 naming it', async () => {
    const res = await score(base, { n: 2 })
    assert.equal(res.status, 400)
    const body = res.body as { error: { code: string; message: string; inner_error: { code: string } } }
    assert.equal(body.error.code, 'UserError')
    assert.equal(body.error.inner_error.code, 'INPUT_INVALID')
    assert.match(body.error.message, /question/)
    assert.match(body.error.message, /required|missing/i)
    await assertServes(base)
  })

  await t.test('a 10 MiB body is 413 with the envelope', async () => {
    const big = JSON.stringify({ question: 'x'.repeat(10 * 1024 * 1024) })
    const res = await score(base, big)
    assert.equal(res.status, 413)
    assert.deepEqual(res.body, {
      error: {
        code: 'UserError',
        message: 'request body is larger than the limit of 1048576 bytes (set with --body-limit)',
        inner_error: { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }
      }
    })
    await assertServes(base)
  })

  await t.test('an unknown route is 404 with the envelope', async () => {
    const res = await call(`${base}/nope`)
    assert.equal(res.status, 404)
    assert.deepEqual(res.body, {
      error: {
        code: 'UserError',
        message: 'no route GET /nope; this server answers POST /score, POST /feedback, GET /health, GET /version, GET /swagger.json, GET /metrics',
        inner_error: { code: 'BAD_REQUEST', field: 'url' }
      }
    })
  })

  await t.test('an Accept the server cannot answer is 406', async () => {
    const res = await score(base, { question: 'hi' }, { accept: 'text/html' })
    assert.equal(res.status, 406)
    assert.deepEqual(res.body, {
      error: {
        code: 'UserError',
        message: 'the Accept header allows neither application/json nor text/event-stream, the only types /score answers with',
        inner_error: { code: 'BAD_REQUEST', field: 'Accept' }
      }
    })
    const sseOnly = await score(base, { question: 'hi' }, { accept: 'text/event-stream' })
    assert.equal(sseOnly.status, 406)
    assert.equal((sseOnly.body as { error: { message: string } }).error.message, 'this flow has no streaming output; send Accept: application/json')
    await assertServes(base)
  })

  await t.test('curl -d (form content type) and JSON with parameters still read the body as JSON', async () => {
    const res = await call(`${base}/score`, { body: '{"question":"hi"}', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { answer: { question: 'hi', history: 0, n: 1 } })
    // JSON has a parser of its own name (a cached lookup); with parameters or in capitals it is JSON too.
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']) {
      const typed = await call(`${base}/score`, { body: '{"question":"hi"}', headers: { 'content-type': type } })
      assert.equal(typed.status, 200, type)
      assert.deepEqual(typed.body, { answer: { question: 'hi', history: 0, n: 1 } }, type)
    }
  })

  await t.test('x-request-id and x-ms-client-request-id are echoed; one is generated when absent', async () => {
    const given = await score(base, { question: 'hi' }, { 'x-request-id': 'abc-123' })
    assert.equal(given.headers['x-request-id'], 'abc-123')
    const ms = await score(base, { question: 'hi' }, { 'x-ms-client-request-id': 'ms-42' })
    assert.equal(ms.headers['x-request-id'], 'ms-42')
    assert.equal(ms.headers['x-ms-client-request-id'], 'ms-42')
    const none = await score(base, { question: 'hi' })
    assert.match(String(none.headers['x-request-id']), /^[0-9a-f-]{36}$/)
  })

  await t.test('GET /health and /version', async () => {
    const health = await call(`${base}/health`)
    assert.equal(health.status, 200)
    assert.deepEqual(health.body, { status: 'Healthy', version })
    const v = await call(`${base}/version`)
    assert.equal(v.status, 200)
    assert.deepEqual(v.body, { status: 'Healthy', version, build_info: '' })
  })

  await t.test('GET /swagger.json describes inputs and outputs', async () => {
    const res = await call(`${base}/swagger.json`)
    assert.equal(res.status, 200)
    const doc = res.body as {
      openapi: string
      info: Record<string, string>
      paths: { '/score': { post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown>; required: string[] } } } }; responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }> } } }
    }
    assert.equal(doc.openapi, '3.0.0')
    assert.equal(doc.info['x-flow-name'], 'typed')
    assert.equal(doc.info['x-chat-input'], 'question')
    assert.equal(doc.info['x-chat-history'], 'chat_history')
    assert.equal(doc.info['x-chat-output'], 'answer')
    const request = doc.paths['/score'].post.requestBody.content['application/json'].schema
    assert.deepEqual(request.properties, {
      question: { type: 'string', description: 'What to ask' },
      chat_history: { type: 'array', items: {}, default: [] },
      n: { type: 'integer', default: 1, description: 'How many answers' }
    })
    assert.deepEqual(request.required, ['question'])
    const ok = doc.paths['/score'].post.responses['200'].content?.['application/json'].schema
    assert.deepEqual(ok?.properties, { answer: { type: 'object', description: 'The answer' } })
  })

  await t.test('POST /feedback', async () => {
    const res = await call(`${base}/feedback`, { body: JSON.stringify({ rating: 5 }), headers: { 'content-type': 'application/json' } })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { status: 'Feedback received.' })
    const bad = await call(`${base}/feedback`, { body: 'not json', headers: { 'content-type': 'application/json' } })
    assert.equal(bad.status, 400)
    assert.match((bad.body as { error: { message: string } }).error.message, /^feedback body is not valid JSON \(.+\)$/)
  })

  await t.test('GET /metrics counts requests by route and status', async () => {
    const res = await call(`${base}/metrics`)
    assert.equal(res.status, 200)
    assert.match(res.text, /floodgate_http_requests_total\{route="\/score",status="200"\} \d+/)
    assert.match(res.text, /floodgate_http_requests_total\{route="\/score",status="400"\} \d+/)
    assert.match(res.text, /floodgate_http_request_duration_seconds_bucket\{le="0\.005",route="\/score"\} \d+/)
    assert.match(res.text, /floodgate_node_duration_seconds_count\{node="answer"\} \d+/)
    for (const name of ['floodgate_runs_in_progress 0', 'floodgate_queue_depth 0', 'floodgate_rejected_total 0', 'floodgate_pool_threads 0',
      'floodgate_pool_running 0', 'floodgate_pool_queue 0', 'floodgate_pool_utilization', 'floodgate_event_loop_delay_seconds', 'process_resident_memory_bytes']) {
      assert.ok(res.text.includes(`\n${name}`), `missing ${name}`)
    }
  })
})

test('single-input flow: a body that is not JSON is that input', async (t) => {
  const server = await serveFixture('echo')
  t.after(() => server.close())
  const raw = await call(`${server.url}/score`, { body: 'just some text', headers: { 'content-type': 'text/plain' } })
  assert.equal(raw.status, 200)
  assert.deepEqual(raw.body, { echo: 'just some text' })
  const json = await score(server.url, { text: 'as json' })
  assert.deepEqual(json.body, { echo: 'as json' })
})

test('--body-limit counts bytes: a body of exactly the limit is read, one byte more is 413, with or without Content-Length', async (t) => {
  const server = await serveFixture('echo', { bodyLimit: 64 })
  t.after(() => server.close())
  const tooLarge = {
    error: { code: 'UserError', message: 'request body is larger than the limit of 64 bytes (set with --body-limit)', inner_error: { code: 'FST_ERR_CTP_BODY_TOO_LARGE' } }
  }
  const atLimit = 'é'.repeat(32) // 32 characters, 64 bytes
  // A stream body goes out chunked, without Content-Length.
  const chunked = (text: string) => Readable.from([Buffer.from(text)])
  for (const [name, body, status, expected] of [
    ['at the limit', atLimit, 200, { echo: atLimit }],
    ['one byte more', `${atLimit}x`, 413, tooLarge],
    ['at the limit, chunked', chunked(atLimit), 200, { echo: atLimit }],
    ['one byte more, chunked', chunked(`${atLimit}x`), 413, tooLarge]
  ] as const) {
    const res = await request(`${server.url}/score`, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } })
    assert.equal(res.statusCode, status, name)
    assert.deepEqual(await res.body.json(), expected, name)
  }
  await assertServes(server.url)
})

test('--api-key: /score and /feedback need it, probes do not', async (t) => {
  const server = await serveFixture('typed', { apiKey: 's3cret' })
  t.after(() => server.close())
  const missing = await score(server.url, { question: 'hi' })
  assert.equal(missing.status, 401)
  assert.deepEqual(missing.body, {
    error: { code: 'UserError', message: 'missing API key: send the header "Authorization: Bearer <key>"', inner_error: { code: 'BAD_REQUEST', field: 'Authorization' } }
  })
  const wrong = await score(server.url, { question: 'hi' }, { authorization: 'Bearer nope' })
  assert.equal(wrong.status, 401)
  assert.equal((wrong.body as { error: { message: string } }).error.message, 'invalid API key')
  const ok = await score(server.url, { question: 'hi' }, { authorization: 'Bearer s3cret' })
  assert.equal(ok.status, 200)
  const azureStyle = await score(server.url, { question: 'hi' }, { 'api-key': 's3cret' })
  assert.equal(azureStyle.status, 200)
  await assertServes(server.url)
  const swagger = await call(`${server.url}/swagger.json`)
  assert.deepEqual((swagger.body as { security: unknown }).security, [{ bearerAuth: [] }])
})

test('streaming output: SSE when asked, joined JSON otherwise', async (t) => {
  const server = await serveFixture('stream')
  t.after(() => server.close())
  const joined = await score(server.url, {})
  assert.equal(joined.status, 200)
  assert.deepEqual(joined.body, { answer: 'alpha beta gamma', source: 'fixture' })

  const sse = await score(server.url, {}, { accept: 'text/event-stream' })
  assert.equal(sse.status, 200)
  assert.match(String(sse.headers['content-type']), /^text\/event-stream/)
  assert.equal(
    sse.text,
    'data: {"source":"fixture"}\n\n' + 'data: {"answer":"alpha"}\n\n' + 'data: {"answer":" beta"}\n\n' + 'data: {"answer":" gamma"}\n\n'
  )
  const metrics = await call(`${server.url}/metrics`)
  assert.match(metrics.text, /\nfloodgate_runs_in_progress 0\n/)

  await t.test('each event is sent as its chunk is made, not held until the stream ends', async () => {
    // Four chunks 300 ms apart: the first event arrives ~0.9 s before the body ends when delivered as
    // made; a server that buffered the stream would send every event in the last instant.
    const slow = await postForEvents(`${server.url}/score`, { words: ['a', 'b', 'c', 'd'], delay_ms: 300 })
    assert.equal(slow.status, 200)
    assert.deepEqual(slow.events.map((e) => e.text), ['data: {"source":"fixture"}', 'data: {"answer":"a"}', 'data: {"answer":"b"}', 'data: {"answer":"c"}', 'data: {"answer":"d"}'])
    const lead = slow.endedAt - slow.events[0]!.at
    assert.ok(lead > 500, `the first event came only ${Math.round(lead)} ms before the body ended`)
  })

  await t.test('a stream that fails midway ends with an event: error carrying the envelope, naming the node', async () => {
    const broken = await postForEvents(`${server.url}/score`, { words: ['a', 'b', 'c'], fail_after: 1 })
    assert.equal(broken.status, 200, 'the headers went out with the first event')
    assert.equal(broken.rest, '')
    assert.deepEqual(broken.events.map((e) => e.text), [
      'data: {"source":"fixture"}',
      'data: {"answer":"a"}',
      'event: error\ndata: {"error":{"code":"UserError","message":"node \\"talk\\" failed: the talk broke off after 1 chunk(s)","inner_error":{"code":"TOOL_FAILED","node":"talk"}}}'
    ])
    const after = await call(`${server.url}/metrics`)
    assert.match(after.text, /\nfloodgate_runs_in_progress 0\n/, 'the failed stream gave its slot back')
  })
})

test('a client-supplied request id is in the request log line and in the run trace', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  const server = await serveFixture('typed', { logger: pino({ level: 'info' }, sink) })
  t.after(() => server.close())
  // Observes the runs the server starts (the real flow still runs them): the trace is the run's own.
  const traces: RunTrace[] = []
  const start = server.flow.start.bind(server.flow)
  server.flow.start = (inputs, options, listener) => {
    const run = start(inputs, options, listener)
    run.promise.then((r) => traces.push(r.trace), () => {})
    return run
  }
  const given = await score(server.url, { question: 'hi' }, { 'x-request-id': 'client-id-42' })
  assert.equal(given.status, 200)
  const ms = await score(server.url, { question: 'hi' }, { 'x-ms-client-request-id': 'ms-client-7' })
  assert.equal(ms.status, 200)
  for (let i = 0; i < 50 && lines.filter((l) => l.msg === 'request').length < 2; i++) await sleep(10)
  const logged = lines.filter((l) => l.msg === 'request')
  assert.deepEqual(logged.map((l) => [l.reqId, l.method, l.url, l.status]), [['client-id-42', 'POST', '/score', 200], ['ms-client-7', 'POST', '/score', 200]])
  assert.deepEqual(traces.map((trace) => trace.requestId), ['client-id-42', 'ms-client-7'])
  // An id too long to be a request id (over 200 characters) is replaced by a fresh one, everywhere.
  const long = await score(server.url, { question: 'hi' }, { 'x-request-id': 'x'.repeat(201) })
  const fresh = String(long.headers['x-request-id'])
  assert.match(fresh, /^[0-9a-f-]{36}$/)
  assert.equal(traces[2]?.requestId, fresh)
})

test('a run that ends inside start() (a flow without nodes) is answered and frees its slot', async (t) => {
  // One slot and no queue: a slot kept by an answered request turns the next one into a 503.
  const server = await serveFixture('empty', { maxConcurrency: 1, queue: 0 })
  t.after(() => server.close())
  for (const question of ['a', 'b', 'c']) {
    const res = await score(server.url, { question })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, { answer: question })
  }
  const sse = await call(`${server.url}/score`, { body: JSON.stringify({ question: 'd' }), headers: { 'content-type': 'application/json', accept: 'text/event-stream' } })
  assert.equal(sse.status, 406)
  assert.equal((sse.body as { error: { message: string } }).error.message, 'this flow has no streaming output; send Accept: application/json')
  const after = await score(server.url, { question: 'e' })
  assert.equal(after.status, 200, after.text)
})
