import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { SlidingWindowLimiter } from '../../src/mock/llm/rate-limit.js'
import { chat, get, post, withMock } from './helpers/mock.js'

const user = { role: 'user', content: 'hi' }

const cases: { name: string; body: unknown; error: { message: string; param: string | null; code: string | null } }[] = [
  {
    name: 'non-JSON body',
    body: '{"model": ',
    error: { message: 'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.', param: null, code: null }
  },
  {
    name: 'body not an object',
    body: '[1]',
    error: { message: 'Invalid type for body: expected an object, but got an array instead.', param: null, code: 'invalid_type' }
  },
  { name: 'missing model', body: { messages: [user] }, error: { message: 'you must provide a model parameter', param: null, code: null } },
  { name: 'model null', body: { model: null, messages: [user] }, error: { message: 'you must provide a model parameter', param: null, code: null } },
  { name: 'model empty', body: { model: '', messages: [user] }, error: { message: 'you must provide a model parameter', param: null, code: null } },
  {
    name: 'body null',
    body: 'null',
    error: { message: 'Invalid type for body: expected an object, but got null instead.', param: null, code: 'invalid_type' }
  },
  {
    name: 'body a decimal',
    body: '1.5',
    error: { message: 'Invalid type for body: expected an object, but got a decimal instead.', param: null, code: 'invalid_type' }
  },
  {
    name: 'model an object',
    body: { model: {}, messages: [user] },
    error: { message: "Invalid type for 'model': expected a string, but got an object instead.", param: 'model', code: 'invalid_type' }
  },
  {
    name: 'message null',
    body: { model: 'm', messages: [user, null] },
    error: { message: "Invalid type for 'messages[1]': expected an object, but got null instead.", param: 'messages[1]', code: 'invalid_type' }
  },
  {
    name: 'role not a string',
    body: { model: 'm', messages: [{ role: 1, content: 'x' }] },
    error: { message: "Invalid value: 1. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool', and 'function'.", param: 'messages[0].role', code: 'invalid_value' }
  },
  {
    name: 'content null in a user message',
    body: { model: 'm', messages: [{ role: 'user', content: null }] },
    error: { message: "Missing required parameter: 'messages[0].content'.", param: 'messages[0].content', code: 'missing_required_parameter' }
  },
  {
    name: 'content an object',
    body: { model: 'm', messages: [{ role: 'user', content: { text: 'x' } }] },
    error: {
      message: "Invalid type for 'messages[0].content': expected one of a string or an array of objects, but got an object instead.",
      param: 'messages[0].content',
      code: 'invalid_type'
    }
  },
  {
    name: 'max_tokens a decimal',
    body: { model: 'm', messages: [user], max_tokens: 1.5 },
    error: { message: "Invalid type for 'max_tokens': expected an integer, but got a decimal instead.", param: 'max_tokens', code: 'invalid_type' }
  },
  {
    name: 'max_completion_tokens below 1 (max_tokens null)',
    body: { model: 'm', messages: [user], max_tokens: null, max_completion_tokens: -2 },
    error: { message: "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got -2 instead.", param: 'max_completion_tokens', code: 'integer_below_min_value' }
  },
  {
    name: 'temperature below 0',
    body: { model: 'm', messages: [user], temperature: -0.5 },
    error: { message: "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.", param: 'temperature', code: 'decimal_below_min_value' }
  },
  {
    name: 'temperature a string',
    body: { model: 'm', messages: [user], temperature: 'hot' },
    error: { message: "Invalid type for 'temperature': expected a decimal, but got a string instead.", param: 'temperature', code: 'invalid_type' }
  },
  {
    name: 'stream_options not an object',
    body: { model: 'm', messages: [user], stream: true, stream_options: [true] },
    error: { message: "Invalid type for 'stream_options': expected an object, but got an array instead.", param: 'stream_options', code: 'invalid_type' }
  },
  {
    name: 'n a string',
    body: { model: 'm', messages: [user], n: '1' },
    error: { message: "floodgate mock answers with one choice only: 'n' must be 1, got \"1\".", param: 'n', code: 'unsupported_value' }
  },
  {
    name: 'stream a boolean, then true, but stream_options a number',
    body: { model: 'm', messages: [user], stream: true, stream_options: 3 },
    error: { message: "Invalid type for 'stream_options': expected an object, but got an integer instead.", param: 'stream_options', code: 'invalid_type' }
  },
  {
    name: 'model not a string',
    body: { model: 5, messages: [user] },
    error: { message: "Invalid type for 'model': expected a string, but got an integer instead.", param: 'model', code: 'invalid_type' }
  },
  {
    name: 'missing messages',
    body: { model: 'm' },
    error: { message: "Missing required parameter: 'messages'.", param: 'messages', code: 'missing_required_parameter' }
  },
  {
    name: 'messages not an array',
    body: { model: 'm', messages: 'hi' },
    error: { message: "Invalid type for 'messages': expected an array, but got a string instead.", param: 'messages', code: 'invalid_type' }
  },
  {
    name: 'empty messages',
    body: { model: 'm', messages: [] },
    error: { message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: 'messages', code: 'empty_array' }
  },
  {
    name: 'bad role',
    body: { model: 'm', messages: [user, { role: 'robot', content: 'x' }] },
    error: {
      message: "Invalid value: 'robot'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool', and 'function'.",
      param: 'messages[1].role',
      code: 'invalid_value'
    }
  },
  {
    name: 'missing role',
    body: { model: 'm', messages: [{ content: 'x' }] },
    error: { message: "Missing required parameter: 'messages[0].role'.", param: 'messages[0].role', code: 'missing_required_parameter' }
  },
  {
    name: 'message not an object',
    body: { model: 'm', messages: ['hi'] },
    error: { message: "Invalid type for 'messages[0]': expected an object, but got a string instead.", param: 'messages[0]', code: 'invalid_type' }
  },
  {
    name: 'missing content',
    body: { model: 'm', messages: [{ role: 'user' }] },
    error: { message: "Missing required parameter: 'messages[0].content'.", param: 'messages[0].content', code: 'missing_required_parameter' }
  },
  {
    name: 'content of a wrong type',
    body: { model: 'm', messages: [{ role: 'user', content: 3 }] },
    error: {
      message: "Invalid type for 'messages[0].content': expected one of a string or an array of objects, but got an integer instead.",
      param: 'messages[0].content',
      code: 'invalid_type'
    }
  },
  {
    name: 'max_tokens below 1',
    body: { model: 'm', messages: [user], max_tokens: 0 },
    error: { message: "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.", param: 'max_tokens', code: 'integer_below_min_value' }
  },
  {
    name: 'max_tokens not an integer',
    body: { model: 'm', messages: [user], max_tokens: '10' },
    error: { message: "Invalid type for 'max_tokens': expected an integer, but got a string instead.", param: 'max_tokens', code: 'invalid_type' }
  },
  {
    name: 'temperature above 2',
    body: { model: 'm', messages: [user], temperature: 3 },
    error: { message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.", param: 'temperature', code: 'decimal_above_max_value' }
  },
  {
    name: 'stream not a boolean',
    body: { model: 'm', messages: [user], stream: 'yes' },
    error: { message: "Invalid type for 'stream': expected a boolean, but got a string instead.", param: 'stream', code: 'invalid_type' }
  },
  {
    name: 'stream_options without stream',
    body: { model: 'm', messages: [user], stream_options: { include_usage: true } },
    error: { message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: 'stream_options', code: null }
  },
  {
    name: 'n other than 1',
    body: { model: 'm', messages: [user], n: 2 },
    error: { message: "floodgate mock answers with one choice only: 'n' must be 1, got 2.", param: 'n', code: 'unsupported_value' }
  }
]

test('wrong request shapes get 400 with OpenAI error bodies', async (t) => {
  const mock = await withMock(t)
  for (const c of cases) {
    const r = await chat(mock.url, c.body)
    assert.equal(r.status, 400, c.name)
    assert.deepEqual(JSON.parse(r.text), { error: { ...c.error, type: 'invalid_request_error' } }, c.name)
  }
  const s = await mock.stats()
  assert.deepEqual(s.byStatus, { '400': cases.length })
})

test('what OpenAI accepts is accepted: every role, an assistant message without content, the bounds of temperature, null and 1 for optional fields', async (t) => {
  const mock = await withMock(t, { ttft: 0, tokensPerSec: 10_000 })
  const bodies: unknown[] = [
    { model: 'm', messages: ['system', 'developer', 'user', 'assistant', 'tool', 'function'].map((role) => ({ role, content: 'x' })) },
    { model: 'm', messages: [user, { role: 'assistant', content: null, tool_calls: [] }, { role: 'assistant' }, user] },
    { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
    { model: 'm', messages: [user], temperature: 0, n: 1 },
    { model: 'm', messages: [user], temperature: 2, n: null, max_tokens: null, stream_options: null },
    { model: 'm', messages: [user], stream: false, temperature: null }
  ]
  for (const body of bodies) {
    const r = await chat(mock.url, body)
    assert.equal(r.status, 200, `${JSON.stringify(body)}: ${r.text}`)
  }
})

test('an injected error other than 429 under 500 is an invalid request, in JSON', async (t) => {
  const mock = await withMock(t, { errorRate: 1, errorStatus: 418 })
  const r = await chat(mock.url, { model: 'm', messages: [user] })
  assert.equal(r.status, 418)
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8')
  assert.deepEqual(JSON.parse(r.text), {
    error: { message: 'The server had an error while processing your request (injected by floodgate mock --error-rate, status 418).', type: 'invalid_request_error', param: null, code: null }
  })
})

test('a body sent as text/plain is still read as JSON; an empty body is not JSON', async (t) => {
  const mock = await withMock(t, { ttft: 0 })
  const ok = await post(`${mock.url}/v1/chat/completions`, JSON.stringify({ model: 'm', messages: [user], max_tokens: 1 }), 'text/plain')
  assert.equal(ok.status, 200)
  const empty = await post(`${mock.url}/v1/chat/completions`, '')
  assert.equal(empty.status, 400)
  assert.match(JSON.parse(empty.text).error.message, /^We could not parse the JSON body/)
})

test('a body over 1 MiB gets 413 in the OpenAI error shape', async (t) => {
  const mock = await withMock(t)
  const r = await chat(mock.url, { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] })
  assert.equal(r.status, 413)
  assert.equal(JSON.parse(r.text).error.type, 'invalid_request_error')
})

test('--error-rate with --error-status 429 / 500 gives OpenAI errors the openai client understands', async (t) => {
  for (const status of [429, 500]) {
    const mock = await withMock(t, { errorRate: 1, errorStatus: status })
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'x', maxRetries: 0 })
    await assert.rejects(openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError)
      assert.equal(err.status, status)
      if (status === 429) {
        assert.ok(err instanceof OpenAI.RateLimitError)
        assert.equal(err.code, 'rate_limit_exceeded')
        assert.equal(err.message, '429 Rate limit reached for requests (injected by floodgate mock --error-rate).')
        assert.equal(err.type, 'requests')
      } else {
        assert.ok(err instanceof OpenAI.InternalServerError)
        assert.equal(err.type, 'server_error')
      }
      assert.match(err.message, /injected by floodgate mock --error-rate/)
      return true
    })
  }
})

test('--rate-limit RPM admits that many requests a minute, then 429 with retry-after', async (t) => {
  const mock = await withMock(t, { rateLimit: 3, ttft: 0 })
  const body = { model: 'm', messages: [user], max_tokens: 1 }
  for (let i = 0; i < 3; i++) assert.equal((await chat(mock.url, body)).status, 200)
  const r = await chat(mock.url, body)
  assert.equal(r.status, 429)
  const wait = Number(r.headers['retry-after'])
  assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `retry-after ${r.headers['retry-after']}`)
  assert.equal(r.headers['x-ratelimit-limit-requests'], '3')
  assert.deepEqual(JSON.parse(r.text), {
    error: {
      message: `Rate limit reached for m on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${wait}s.`,
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded'
    }
  })
  // The study's GET / is not rate limited.
  assert.equal((await get(`${mock.url}/`)).status, 200)
})

test('the rate limit window slides: a slot frees 60 s after the request that took it', () => {
  const limiter = new SlidingWindowLimiter(2)
  assert.equal(limiter.take(0), 0)
  assert.equal(limiter.take(10_000), 0)
  assert.equal(limiter.take(30_000), 30_000)
  assert.equal(limiter.take(60_000), 0) // the slot of t=0 is free again
  assert.equal(limiter.take(65_000), 5_000) // the next frees at 10 s + 60 s
  assert.equal(limiter.take(70_000), 0)
})
