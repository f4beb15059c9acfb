// examples/llm-chat against the real mock LLM: run through loadFlow/execute (the answer streams), and
// served by the real `floodgate serve` app as Server-Sent Events.
import { after, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { request } from 'undici'
import { loadFlow } from '../../src/executor/index.js'
import { startMock, type MockServer } from '../../src/mock/index.js'
import { startServer } from '../../src/serve/index.js'
import { closeLlmPools } from '../../src/llm/index.js'
import { drain } from './helpers/servers.js'
import { postForEvents } from '../helpers/sse.js'

const example = fileURLToPath(new URL('../../examples/llm-chat', import.meta.url))

after(() => closeLlmPools())

/** A mock LLM (fast unless told), and OPENAI_BASE_URL pointing the example's connection at it for this test. */
async function mockFor(t: TestContext, tokensPerSec = 2000): Promise<MockServer> {
  const mock = await startMock({ port: 0, ttft: 0.01, tokensPerSec })
  t.after(() => mock.close())
  const saved = process.env.OPENAI_BASE_URL
  process.env.OPENAI_BASE_URL = `${mock.url}/v1`
  t.after(() => {
    if (saved === undefined) delete process.env.OPENAI_BASE_URL
    else process.env.OPENAI_BASE_URL = saved
  })
  return mock
}

test('examples/llm-chat runs: guardrail prompt, then a streamed answer', async (t) => {
  const mock = await mockFor(t)
  const flow = await loadFlow(example)
  t.after(() => flow.close())
  const history = [{ inputs: { question: 'Who are you?' }, outputs: { answer: 'A demo.' } }]
  const result = await flow.execute(flow.validateInputs({ question: 'What is a flow?', chat_history: history }))
  assert.deepEqual(result.trace.nodes.map((n) => [n.node, n.status, n.ranOn]), [['guardrail', 'ok', 'loop'], ['chat', 'ok', 'loop']])
  const { text, chunks } = await drain(result.outputs.answer)
  assert.match(text, /^Mock answer to: What is a flow\? Lorem ipsum/)
  assert.equal(text.split(/\s+/).length, 64) // max_tokens: 64
  assert.ok(chunks >= 64, `expected a chunk per token, got ${chunks}`)
  assert.equal((await mock.stats()).byStatus['200'], 1)
})

test('examples/llm-chat streams as SSE through floodgate serve, each token as it comes', async (t) => {
  // 64 tokens at 50/s: about 1.3 s of generation, so a stream held back anywhere (LLM client or server)
  // shows as every event arriving at the end.
  await mockFor(t, 50)
  const server = await startServer({ flowDir: example, host: '127.0.0.1', port: 0, threads: 1, logger: pino({ level: 'silent' }) })
  t.after(() => server.close())
  const body = { question: 'Is it streaming?' }

  const res = await postForEvents(`${server.url}/score`, body)
  assert.equal(res.status, 200)
  assert.match(res.contentType, /^text\/event-stream/)
  assert.equal(res.rest, '')
  assert.ok(res.events.length >= 64, `expected an event per token, got ${res.events.length}`)
  const chunks = res.events.map((e) => {
    assert.match(e.text, /^data: /)
    return (JSON.parse(e.text.slice(6)) as { answer: string }).answer
  })
  const streamed = chunks.join('')
  assert.match(streamed, /^Mock answer to: Is it streaming\? Lorem ipsum/)
  const lead = res.endedAt - res.events[0]!.at
  assert.ok(lead > 600, `the first token came only ${Math.round(lead)} ms before the stream ended`)

  // Without Accept: text/event-stream the same answer comes back joined, as JSON.
  const joined = await request(`${server.url}/score`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  assert.equal(joined.statusCode, 200)
  assert.deepEqual(await joined.body.json(), { answer: streamed })
})

test('examples/llm-chat with the LLM down: 502 naming the node (the URL stays in the server log)', async (t) => {
  const saved = process.env.OPENAI_BASE_URL
  process.env.OPENAI_BASE_URL = 'http://127.0.0.1:1/v1'
  t.after(() => {
    if (saved === undefined) delete process.env.OPENAI_BASE_URL
    else process.env.OPENAI_BASE_URL = saved
  })
  const server = await startServer({ flowDir: example, host: '127.0.0.1', port: 0, threads: 1, logger: pino({ level: 'silent' }) })
  t.after(() => server.close())
  const res = await request(`${server.url}/score`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } })
  assert.equal(res.statusCode, 502)
  const reply = (await res.body.json()) as { error: { code: string; message: string; inner_error: Record<string, unknown> } }
  assert.equal(reply.error.message, 'node "chat": LLM call to <address> failed: connection refused (after 3 attempts)')
  assert.deepEqual(reply.error.inner_error, { code: 'UPSTREAM_FAILED', node: 'chat' })
})
