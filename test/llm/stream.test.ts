// Streaming LLM replies: the SSE parser on its own (events split anywhere, CRLF, multi-line data, event
// types, comments and other fields), then the stream of an llm node against raw loopback servers that
// send odd events, break off, or end their response a moment after data: [DONE]. (More in client.test.ts.)
import { after, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import type { ServerResponse } from 'node:http'
import { SseParser } from '../../src/llm/stream.js'
import { loadFlow } from '../../src/executor/index.js'
import { closeLlmPools } from '../../src/llm/index.js'
import { drain, fakeLlm, llmFlow } from './helpers/servers.js'

after(() => closeLlmPools())

test('complete events come out as [type, data]; an event ends at a blank line', () => {
  const p = new SseParser()
  assert.deepEqual(p.push('data: one\n\ndata: two\n\n'), [['message', 'one'], ['message', 'two']])
  assert.deepEqual(p.push('data: three\n'), [], 'not ended yet')
  assert.deepEqual(p.push('\n'), [['message', 'three']])
})

test('text split anywhere, even inside a CRLF pair, parses the same', () => {
  const text = ': comment\r\n\r\nevent: error\r\ndata: {"a":1}\r\n\r\ndata:no-space\n\ndata: [DONE]\n\n'
  const whole = new SseParser().push(text)
  assert.deepEqual(whole, [['error', '{"a":1}'], ['message', 'no-space'], ['message', '[DONE]']])
  for (let cut = 1; cut < text.length; cut++) {
    const p = new SseParser()
    assert.deepEqual([...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))], whole, `cut at ${cut}`)
  }
  const bytewise = new SseParser()
  assert.deepEqual([...text].flatMap((ch) => bytewise.push(ch)), whole)
})

test('data lines of one event join with newlines; the event type resets after each event', () => {
  const p = new SseParser()
  assert.deepEqual(p.push('event: delta\ndata: a\ndata:  b\ndata:\n\ndata: c\n\n'), [['delta', 'a\n b\n'], ['message', 'c']])
})

test('comments, ids, retry fields and blank lines alone carry no event', () => {
  const p = new SseParser()
  assert.deepEqual(p.push(': keep-alive\n\nid: 7\nretry: 1000\n\n\n\nevent: ping\n\n'), [])
  assert.deepEqual(p.push('id: 8\nretry: 500\ndata: x\n\n'), [['message', 'x']], 'id and retry do not set the type')
  assert.deepEqual(p.push('data: after\n\n'), [['message', 'after']], 'an event type with no data is dropped with it')
  assert.deepEqual(p.push('event:   spaced  \ndata: x\n\n'), [['spaced', 'x']])
})

const chunk = (content: string): string => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`

/** The llm node's stream against a server answering each call with `events` (then `end`, default right away). */
async function streamOf(t: TestContext, events: string[], end: (res: ServerResponse) => void = (res) => res.end()): Promise<{ text: string } | Error> {
  const llm = await fakeLlm(t, (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(events.join(''))
    end(res)
  })
  const flow = await loadFlow(await llmFlow(t, { baseUrl: llm.baseUrl, stream: true }))
  t.after(() => flow.close())
  return drain((await flow.execute({ question: 'hi' })).outputs.answer).catch((e: Error) => e)
}

/** The message after "failed: " of the stream's error. */
function failure(outcome: { text: string } | Error): string {
  assert.ok(outcome instanceof Error, `expected a failure, got ${JSON.stringify(outcome)}`)
  return outcome.message.replace(/^node "answer": LLM call to \S+ failed: /, '')
}

test('error events mid-stream: by event type or by an error field, quoting what the server said', async (t) => {
  assert.equal(failure(await streamOf(t, [chunk('a'), 'event: error\ndata: {"message":"overloaded"}\n\n'])), 'the server sent an error mid-stream: {"message":"overloaded"}')
  assert.equal(failure(await streamOf(t, [chunk('a'), 'data: {"error":"plain words"}\n\n'])), 'the server sent an error mid-stream: plain words')
  assert.equal(failure(await streamOf(t, [chunk('a'), 'data: {"error":{"message":"in an object"}}\n\n'])), 'the server sent an error mid-stream: in an object')
  assert.equal(failure(await streamOf(t, [chunk('a'), 'data: {"error":{"code":5}}\n\n'])), 'the server sent an error mid-stream: {"error":{"code":5}}')
  assert.equal(failure(await streamOf(t, [chunk('a'), 'data: {"error":null}\n\n'])), 'the server sent an error mid-stream: {"error":null}')
})

test('events that are not chunks are named; chunks without content are skipped', async (t) => {
  for (const data of ['null', '5', '{"object":"other"}', '{"choices":"no"}']) {
    assert.equal(failure(await streamOf(t, [`data: ${data}\n\n`])), `a stream event has no choices (not an OpenAI chat.completion.chunk): ${data}`)
  }
  const skipped = await streamOf(t, ['data: {"choices":[]}\n\n', 'data: {"choices":[{"index":0,"finish_reason":"stop"}]}\n\n', chunk('x'),
    'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n', 'data:  [DONE] \n\n'])
  assert.deepEqual(skipped, { text: 'x', chunks: 1 })
})

test('a stream that breaks off fails with the cause', async (t) => {
  const broken = await streamOf(t, [chunk('a')], (res) => setTimeout(() => res.socket?.destroy(), 20))
  assert.equal(failure(broken), 'the stream broke off: connection closed by the server')
})

test('a completed stream leaves its keep-alive connection for the next call', async (t) => {
  // The response ends a moment after data: [DONE], as it does when the server flushes them apart.
  const sockets = new Set<unknown>()
  let ended = Promise.resolve()
  const llm = await fakeLlm(t, (res, _attempt, req) => {
    sockets.add(req.socket)
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(`${chunk('a')}data: [DONE]\n\n`)
    ended = new Promise((resolve) => res.on('close', resolve))
    setTimeout(() => res.end(), 30)
  })
  const flow = await loadFlow(await llmFlow(t, { baseUrl: llm.baseUrl, stream: true }))
  t.after(() => flow.close())
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await drain((await flow.execute({ question: 'hi' })).outputs.answer), { text: 'a', chunks: 1 })
    // The next call goes once the server's response is closed (ended, its timer late on a busy machine, or
    // cut by a client that dropped the connection) and the client has had time to read the end: a
    // connection the client kept is free by then.
    await ended
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.equal(sockets.size, 1, `${sockets.size} connections for 3 calls`)
})
