import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { request } from 'undici'
import { chat, eventually, get, withMock } from './helpers/mock.js'

function client(url: string): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-needed', maxRetries: 0, timeout: 20_000 })
}

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'What is ChatGPT?' }
]

test('the openai client gets a chat.completion (non-streaming), deterministic, with consistent usage', async (t) => {
  const mock = await withMock(t, { ttft: 0.05, tokensPerSec: 1000 })
  const openai = client(mock.url)
  const started = Date.now()
  const c = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 8, temperature: 0.2 })
  assert.ok(Date.now() - started >= 50, 'the answer comes after ttft')
  assert.equal(c.object, 'chat.completion')
  assert.equal(c.model, 'gpt-4o-mini')
  assert.equal(c.choices.length, 1)
  assert.equal(c.choices[0].finish_reason, 'stop')
  assert.equal(c.choices[0].message.role, 'assistant')
  assert.equal(c.choices[0].message.content, 'Mock answer to: What is ChatGPT? Lorem ipsum')
  assert.deepEqual(c.usage, { prompt_tokens: 6, completion_tokens: 8, total_tokens: 14 })
  const again = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 8 })
  assert.equal(again.choices[0].message.content, c.choices[0].message.content)
  assert.notEqual(again.id, c.id)
})

test('without max_tokens the reply is 16 tokens; max_completion_tokens is honoured too', async (t) => {
  const mock = await withMock(t, { ttft: 0, tokensPerSec: 10_000 })
  const openai = client(mock.url)
  const a = await openai.chat.completions.create({ model: 'm', messages })
  assert.equal(a.usage?.completion_tokens, 16)
  assert.equal(a.choices[0].message.content?.split(' ').length, 16)
  const b = await openai.chat.completions.create({ model: 'm', messages, max_completion_tokens: 2 })
  assert.equal(b.choices[0].message.content, 'Mock answer')
})

test('the openai client streams chat.completion.chunk events: role first, deltas, stop, usage, [DONE]', async (t) => {
  const mock = await withMock(t, { ttft: 0.1, tokensPerSec: 40 })
  const openai = client(mock.url)
  const started = Date.now()
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini', messages, max_tokens: 6, stream: true, stream_options: { include_usage: true }
  })
  const arrivals: number[] = []
  let text = ''
  let finish: string | null = null
  let usage: unknown
  let first = true
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk')
    if (chunk.usage) usage = chunk.usage
    const choice = chunk.choices[0]
    if (!choice) continue
    if (first) assert.equal(choice.delta.role, 'assistant')
    first = false
    if (choice.delta.content) {
      text += choice.delta.content
      arrivals.push(Date.now() - started)
    }
    if (choice.finish_reason) finish = choice.finish_reason
  }
  assert.equal(text, 'Mock answer to: What is ChatGPT?')
  assert.equal(finish, 'stop')
  assert.deepEqual(usage, { prompt_tokens: 6, completion_tokens: 6, total_tokens: 12 })
  assert.equal(arrivals.length, 6)
  // First token after ttft; the whole stream takes about ttft + 5 / 40 s. Bounds are generous: shared CPUs.
  assert.ok(arrivals[0] >= 95, `first token at ${arrivals[0]} ms`)
  assert.ok(arrivals[5] - arrivals[0] >= 100, `tokens spread over ${arrivals[5] - arrivals[0]} ms`)
})

test('the raw SSE stream ends with data: [DONE] and has no usage chunk unless asked', async (t) => {
  const mock = await withMock(t, { ttft: 0, tokensPerSec: 10_000 })
  const r = await chat(mock.url, { model: 'm', messages, max_tokens: 3, stream: true })
  assert.equal(r.status, 200)
  assert.match(String(r.headers['content-type']), /^text\/event-stream/)
  const events = r.text.split('\n\n').filter(Boolean)
  assert.equal(events.at(-1), 'data: [DONE]')
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)) as { choices: { delta: object; finish_reason: string | null }[] })
  assert.equal(chunks.length, 4) // 3 tokens + the stop chunk
  assert.deepEqual(chunks[3].choices[0], { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' })
  assert.ok(chunks.every((c) => c.choices.length === 1))
  // include_usage false asks for no usage chunk either.
  const without = await chat(mock.url, { model: 'm', messages, max_tokens: 3, stream: true, stream_options: { include_usage: false } })
  assert.ok(!without.text.includes('"usage"'), without.text)
})

test('a client that leaves mid-stream stops the stream and is counted as aborted', async (t) => {
  const mock = await withMock(t, { ttft: 0, tokensPerSec: 20 })
  const controller = new AbortController()
  const r = await request(`${mock.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages, max_tokens: 1000, stream: true }),
    signal: controller.signal
  })
  let got = ''
  await assert.rejects(async () => {
    for await (const part of r.body) {
      got += String(part)
      if (got.includes('" answer"')) controller.abort()
    }
  })
  await eventually(async () => {
    const s = await mock.stats()
    assert.equal(s.inFlight, 0)
    assert.equal(s.aborted, 1)
    assert.equal(s.answered, 0)
  })
})

test('GET /v1/models lists the mock model, and the openai client reads it', async (t) => {
  const mock = await withMock(t, { model: 'gpt-mock' })
  const list = await client(mock.url).models.list()
  assert.deepEqual(list.data.map((m) => m.id), ['gpt-mock'])
  const one = await client(mock.url).models.retrieve('gpt-mock')
  assert.equal(one.owned_by, 'floodgate')
  const missing = await get(`${mock.url}/v1/models/nope`)
  assert.equal(missing.status, 404)
  assert.equal(JSON.parse(missing.text).error.code, 'model_not_found')
})

test('the reply echoes the last user message, read from its text parts; prompt tokens count the words of every text part', async (t) => {
  const mock = await withMock(t, { ttft: 0, tokensPerSec: 10_000 })
  const parts = [{ type: 'text', text: 'Why  is' }, { type: 'image_url', image_url: { url: 'data:,' } }, { type: 'text', text: 'the sky' }, null, 'blue', { type: 'text', text: 42 }]
  const r = await chat(mock.url, {
    model: 'm',
    max_tokens: 7,
    // The user message is the first; an assistant's and a tool's come after it.
    messages: [{ role: 'user', content: parts }, { role: 'assistant', content: 'It is.' }, { role: 'tool', content: 'done' }]
  })
  const c = JSON.parse(r.text)
  assert.equal(c.choices[0].message.content, 'Mock answer to: Why is the sky')
  assert.deepEqual(c.usage, { prompt_tokens: 4 + 2 + 1, completion_tokens: 7, total_tokens: 14 })
  assert.equal(c.system_fingerprint, 'fp_floodgate_mock')
  const now = Date.now() / 1000
  assert.ok(Math.abs(c.created - now) < 60, `created ${c.created}, now ${now}`)
  // An assistant message without content adds no prompt token.
  const toolCall = JSON.parse((await chat(mock.url, { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'a b' }, { role: 'assistant', content: null }] })).text)
  assert.equal(toolCall.usage.prompt_tokens, 2)
  // No user message at all: lorem ipsum after the preamble.
  const none = JSON.parse((await chat(mock.url, { model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x y' }] })).text)
  assert.equal(none.choices[0].message.content, 'Mock answer to: Lorem ipsum')
})

test('a long reply continues with lorem ipsum, cycled, cut to exactly max_tokens', async (t) => {
  const mock = await withMock(t, { ttft: 0, tokensPerSec: 100_000 })
  const c = JSON.parse((await chat(mock.url, { model: 'm', max_tokens: 45, messages: [{ role: 'user', content: 'hi' }] })).text)
  assert.equal(c.choices[0].message.content,
    'Mock answer to: hi Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et ' +
    'dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. ' +
    'Lorem ipsum dolor sit amet,')
})

test('a reply that is not streamed comes when its last token is ready: ttft + (tokens - 1) x the time per token', async (t) => {
  // 0.1 s to the first token and 10 tokens/s: the fourth is ready at 0.4 s.
  const mock = await withMock(t, { ttft: 0.1, tokensPerSec: 10 })
  const started = performance.now()
  const r = await chat(mock.url, { model: 'm', max_tokens: 4, messages })
  const took = performance.now() - started
  assert.equal(r.status, 200)
  // Timers fire late, never early; 0.6 s would be one token too many.
  assert.ok(took >= 395 && took < 550, `answered after ${took.toFixed(0)} ms`)
  assert.equal((await mock.stats()).tokensSent, 4)
})

test('a stream: its headers, the role in the first chunk only, and every token sent counted by the mock', async (t) => {
  const mock = await withMock(t, { ttft: 0, tokensPerSec: 200 })
  const r = await chat(mock.url, { model: 'm', messages, max_tokens: 6, stream: true })
  assert.equal(r.headers['content-type'], 'text/event-stream; charset=utf-8')
  assert.equal(r.headers['cache-control'], 'no-cache')
  const chunks = r.text.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)))
  assert.deepEqual(chunks.map((c) => c.choices[0].delta.role ?? null), ['assistant', null, null, null, null, null, null])
  assert.ok(chunks.every((c) => c.system_fingerprint === 'fp_floodgate_mock'))
  assert.equal((await mock.stats()).tokensSent, 6)
})
