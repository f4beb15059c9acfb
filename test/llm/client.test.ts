// The llm node's HTTP side, through loadFlow/execute: against the real mock LLM, and against raw servers
// that answer badly (errors, non-JSON, wrong shapes, cut streams, silence).
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { loadFlow } from '../../src/executor/index.js'
import { startMock } from '../../src/mock/index.js'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AbortedError, ToolError, UpstreamError } from '../../src/errors.js'
import { closeLlmPools } from '../../src/llm/index.js'
import { completion, drain, fakeLlm, llmFlow, sendJson } from './helpers/servers.js'
import type { CompiledFlow } from '../../src/executor/types.js'
import { collected } from '../helpers/gc.js'

after(() => closeLlmPools())

async function open(t: import('node:test').TestContext, dir: string): Promise<CompiledFlow> {
  const flow = await loadFlow(dir)
  t.after(() => flow.close())
  return flow
}

/** Runs the flow, which must fail with an UpstreamError; returns it. */
async function upstreamFailure(flow: CompiledFlow): Promise<UpstreamError> {
  const err = await flow.execute({ question: 'hi' }).then(() => null, (e: unknown) => e)
  assert.ok(err instanceof UpstreamError, `expected UpstreamError, got ${String(err)}`)
  return err
}

test('non-streaming and streaming calls to the mock LLM give the same content', async (t) => {
  const mock = await startMock({ port: 0, ttft: 0.01, tokensPerSec: 1000 })
  t.after(() => mock.close())
  const plain = await open(t, await llmFlow(t, { baseUrl: `${mock.url}/v1` }))
  const streaming = await open(t, await llmFlow(t, { baseUrl: `${mock.url}/v1`, stream: true }))

  const whole = (await plain.execute({ question: 'how fast is it' })).outputs.answer
  assert.equal(typeof whole, 'string')
  assert.match(whole as string, /^Mock answer to: how fast is it/)
  assert.equal((whole as string).split(/\s+/).length, 8) // max_tokens: 8

  const streamed = (await streaming.execute({ question: 'how fast is it' })).outputs.answer
  assert.equal(typeof (streamed as AsyncIterable<string>)[Symbol.asyncIterator], 'function')
  const { text, chunks } = await drain(streamed)
  assert.equal(text, whole)
  assert.ok(chunks >= 8, `expected a chunk per token, got ${chunks}`)
  const stats = await mock.stats()
  assert.equal(stats.byStatus['200'], 2)
})

test('the request carries the model, parameters, messages and key', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 200, completion('fine')))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, inputs: '    temperature: 0.2\n    stop: ["\\n\\n"]\n    user: ""\n' }))
  const result = await flow.execute({ question: 'and you?' })
  assert.equal(result.outputs.answer, 'fine')
  assert.equal(llm.requests.length, 1)
  const { body, headers } = llm.requests[0]!
  assert.deepEqual(body, {
    model: 'gpt-4o-mini',
    max_tokens: 8,
    stream: false,
    temperature: 0.2,
    stop: ['\n\n'],
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'and you?' }]
  })
  assert.equal(headers.authorization, 'Bearer sk-test-secret-123')
  assert.equal(headers['content-type'], 'application/json')
})

test('retries 429 (honouring retry-after) and 5xx, then succeeds', async (t) => {
  const arrivals: number[] = []
  const llm = await fakeLlm(t, (res, attempt) => {
    arrivals.push(performance.now())
    if (attempt === 1) sendJson(res, 429, { error: { message: 'slow down', type: 'requests' } }, { 'retry-after': '1' })
    else if (attempt === 2) sendJson(res, 500, { error: { message: 'oops', type: 'server_error' } })
    else sendJson(res, 200, completion('third time lucky'))
  })
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, connectionExtra: '  max_retries: 2\n' }))
  const result = await flow.execute({ question: 'hi' })
  assert.equal(result.outputs.answer, 'third time lucky')
  assert.equal(llm.requests.length, 3)
  // The server asked for 1 s; without a retry-after the first backoff is 375-500 ms.
  const afterRetryAfter = arrivals[1]! - arrivals[0]!
  assert.ok(afterRetryAfter >= 950, `retried ${Math.round(afterRetryAfter)} ms after "retry-after: 1"`)
  // A 500 gives no retry-after: the backoff (375-500 ms; no upper bound here, timers run late on a busy machine).
  const afterBackoff = arrivals[2]! - arrivals[1]!
  assert.ok(afterBackoff >= 370, `retried ${Math.round(afterBackoff)} ms after a 500`)
})

test('gives up after max_retries, naming node, URL, status and attempts', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 503, { error: { message: 'overloaded', type: 'server_error' } }, { 'retry-after': '0' }))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, connectionExtra: '  max_retries: 1\n' }))
  const err = await upstreamFailure(flow)
  assert.equal(err.message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: HTTP 503: overloaded (after 2 attempts)`)
  assert.equal(err.details.status, 503)
  assert.equal(err.details.node, 'answer')
  assert.equal(err.httpStatus, 502)
  assert.equal(llm.requests.length, 2)
})

test('a 400 is not retried', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 400, { error: { message: "'messages' is a required property", type: 'invalid_request_error' } }))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, connectionExtra: '  max_retries: 2\n' }))
  const err = await upstreamFailure(flow)
  assert.equal(err.message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: HTTP 400: 'messages' is a required property`)
  assert.equal(llm.requests.length, 1)
})

test('the API key never appears in an error, even when the server quotes it', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 401, { error: { message: 'Incorrect API key provided: sk-test-secret-123.' } }))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl }))
  const err = await upstreamFailure(flow)
  assert.equal(err.message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: HTTP 401: Incorrect API key provided: ***.`)
})

test('an unreachable endpoint names the node and the URL', async (t) => {
  const flow = await open(t, await llmFlow(t, { baseUrl: 'http://127.0.0.1:1/v1' }))
  const err = await upstreamFailure(flow)
  assert.equal(err.message, 'node "answer": LLM call to http://127.0.0.1:1/v1/chat/completions failed: connection refused')
})

test('connection failures are retried too', async (t) => {
  const flow = await open(t, await llmFlow(t, { baseUrl: 'http://127.0.0.1:1/v1', connectionExtra: '  max_retries: 1\n' }))
  const err = await upstreamFailure(flow)
  assert.equal(err.message, 'node "answer": LLM call to http://127.0.0.1:1/v1/chat/completions failed: connection refused (after 2 attempts)')
})

test('a non-JSON reply is named as such', async (t) => {
  const llm = await fakeLlm(t, (res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<html>gateway says hi</html>')
  })
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl }))
  const err = await upstreamFailure(flow)
  assert.equal(err.message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: the reply is not JSON (content-type text/html): "<html>gateway says hi</html>"`)
})

test('a reply of the wrong shape is named as such', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 200, { result: 'hello' }))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl }))
  const err = await upstreamFailure(flow)
  assert.equal(err.message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: the reply has no choices[0].message (not an OpenAI chat.completion): {"result":"hello"}`)
})

function sse(res: import('node:http').ServerResponse, events: string[], end = true): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  for (const e of events) res.write(e)
  if (end) res.end()
}

const chunk = (content: string): string => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`

test('streams split anywhere parse the same; CRLF lines and comments are fine', async (t) => {
  const body = `: keep-alive\r\n\r\n${chunk('Hel').replace(/\n/g, '\r\n')}${chunk('lo')}data: {"choices":[]}\n\ndata: [DONE]\n\n`
  const llm = await fakeLlm(t, (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    // One byte per write: events, lines and the CRLF pairs all arrive split.
    let i = 0
    const next = (): void => {
      if (i >= body.length) return void res.end()
      res.write(body[i++]!, next)
    }
    next()
  })
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, stream: true }))
  const { text, chunks } = await drain((await flow.execute({ question: 'hi' })).outputs.answer)
  assert.equal(text, 'Hello')
  assert.equal(chunks, 2)
  assert.equal(llm.requests[0]!.body.stream, true)
})

test('a stream that ends before [DONE] fails its consumer', async (t) => {
  const llm = await fakeLlm(t, (res) => sse(res, [chunk('partial')]))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, stream: true }))
  const answer = (await flow.execute({ question: 'hi' })).outputs.answer
  const err = await drain(answer).then(() => null, (e: unknown) => e)
  assert.ok(err instanceof UpstreamError)
  assert.equal(err.message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: the stream ended before data: [DONE] (the reply was cut short)`)
})

test('an error event mid-stream and a non-JSON event fail the consumer', async (t) => {
  const llm = await fakeLlm(t, (res, attempt) => {
    if (attempt === 1) sse(res, [chunk('a'), 'data: {"error":{"message":"model overloaded"}}\n\n'])
    else sse(res, [chunk('a'), 'data: not json\n\n'])
  })
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, stream: true }))
  const first = await drain((await flow.execute({ question: 'hi' })).outputs.answer).then(() => null, (e: unknown) => e)
  assert.equal((first as Error).message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: the server sent an error mid-stream: model overloaded`)
  const second = await drain((await flow.execute({ question: 'hi' })).outputs.answer).then(() => null, (e: unknown) => e)
  assert.equal((second as Error).message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: a stream event is not JSON: "not json"`)
})

test('a consumer that stops early closes the upstream request', async (t) => {
  let closed!: () => void
  const upstreamClosed = new Promise<void>((resolve) => (closed = resolve))
  const llm = await fakeLlm(t, (res, _attempt, req) => {
    sse(res, [chunk('first'), chunk('second')], false) // and then nothing: a long generation
    res.on('close', () => closed())
    void req
  })
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, stream: true }))
  const answer = (await flow.execute({ question: 'hi' })).outputs.answer as AsyncIterable<string>
  for await (const piece of answer) {
    assert.equal(piece, 'first')
    break
  }
  await upstreamClosed
})

test('a silent server hits the connection timeout', async (t) => {
  const llm = await fakeLlm(t, () => {}) // never answers
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, connectionExtra: '  max_retries: 0\n  timeout: 0.3\n' }))
  const err = await upstreamFailure(flow)
  assert.equal(err.message, `node "answer": LLM call to ${llm.baseUrl}/chat/completions failed: no response within 0.3 s (connection timeout)`)
})

test('aborting the run cancels the call', async (t) => {
  let closed!: () => void
  const upstreamClosed = new Promise<void>((resolve) => (closed = resolve))
  const llm = await fakeLlm(t, (res) => res.on('close', () => closed()))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl }))
  const controller = new AbortController()
  const run = flow.execute({ question: 'hi' }, { signal: controller.signal })
  setTimeout(() => controller.abort(new Error('client left')), 100)
  await assert.rejects(run, AbortedError)
  await upstreamClosed
})

test('a referenced API parameter is checked per call, naming node and input', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 200, completion('never')))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl, inputs: '    temperature: ${inputs.question}\n' }))
  const err = await flow.execute({ question: 'warm' }).then(() => null, (e: unknown) => e)
  assert.ok(err instanceof ToolError)
  assert.equal(err.message, 'node "answer": input "temperature": expected a number from 0 to 2, got "warm"')
  assert.equal(llm.requests.length, 0)
})

test('a streamed answer used by a later prompt node arrives joined', async (t) => {
  const mock = await startMock({ port: 0, ttft: 0.01, tokensPerSec: 1000 })
  t.after(() => mock.close())
  const summary = '- name: summary\n  type: prompt\n  source:\n    type: code\n    path: summary.jinja2\n  inputs:\n    text: ${answer.output}\n'
  const dir = await llmFlow(t, { baseUrl: `${mock.url}/v1`, stream: true, inputs: summary })
  const yamlFile = join(dir, 'flow.dag.yaml')
  await writeFile(yamlFile, (await readFile(yamlFile, 'utf8')).replace('reference: ${answer.output}', 'reference: ${summary.output}'))
  await writeFile(join(dir, 'summary.jinja2'), 'Summary: {{ text }}')
  const flow = await open(t, dir)
  const result = await flow.execute({ question: 'join me' })
  assert.match(result.outputs.answer as string, /^Summary: Mock answer to: join me Lorem/)
})

test('an ended run is not kept alive by the keep-alive connection its llm call opened', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 200, completion('fine')))
  const flow = await open(t, await llmFlow(t, { baseUrl: llm.baseUrl }))
  // In a function of its own: a suspended async function's frame would keep its last run's values.
  const runs = async (): Promise<Array<WeakRef<object>>> => {
    const refs: Array<WeakRef<object>> = []
    for (let i = 0; i < 3; i++) {
      const inputs = { question: `run ${i}` }
      assert.equal((await flow.execute(inputs)).outputs.answer, 'fine')
      refs.push(new WeakRef(inputs))
    }
    return refs
  }
  const refs = await runs()
  assert.equal(llm.requests.length, 3)
  assert.deepEqual(await collected(refs), [true, true, true], 'every ended run collected')
})
