// The stream reader on its own: bytes in (as sockets deliver them, split anywhere), content events and
// their times out. What counts as content (OpenAI chunks, floodgate serve's fields, plain events), what
// never does (role-only, empty, usage-only chunks, comments, [DONE]), CRLF, error events and UTF-8
// split across chunks. Cut streams and real timing are in stream-timing.test.ts.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamReader } from '../../src/load/stream-reader.js'
import { LlmRecorder } from '../../src/load/llm-recorder.js'
import type { StreamMode } from '../../src/load/result.js'

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`
const usage = (completion: number, prompt = 7) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`

/** A whole OpenAI stream: a role-only chunk, three tokens, an empty delta, a usage chunk, [DONE]. */
const OPENAI = chunk({ role: 'assistant', content: '' }) + ': ping\n\n' + chunk({ content: 'Hel' }) + chunk({ content: 'lo' }) +
  chunk({ content: ' wörld' }) + chunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) + usage(5) + 'data: [DONE]\n\n'

interface Read {
  reader: StreamReader
  recorder: LlmRecorder
  /** The time each content event was stamped with (ms), from the recorder's first-token/next-token calls. */
  times: number[]
}

/** Feeds `pieces` as successive socket chunks, the i-th arriving at time 100 + i ms, and ends the body. */
function read(pieces: (string | Buffer)[], mode: StreamMode = 'auto', type = 'text/event-stream', keepText = false): Read {
  const recorder = new LlmRecorder()
  const times: number[] = []
  const first = recorder.firstToken.bind(recorder)
  const next = recorder.nextToken.bind(recorder)
  recorder.firstToken = (ms) => { times.push(ms); first(ms) }
  recorder.nextToken = (ms) => { times.push(times.at(-1)! + ms); next(ms) }
  const reader = new StreamReader(mode, recorder, keepText)
  reader.reset()
  reader.begin(0, 200, type)
  pieces.forEach((p, i) => reader.feed(Buffer.isBuffer(p) ? p : Buffer.from(p), 100 + i))
  reader.end(100 + pieces.length)
  return { reader, recorder, times }
}

test('an OpenAI stream: content events only (not role, empty, usage chunks, comments or [DONE]); tokens from usage', () => {
  const { reader, times } = read([OPENAI], 'auto', 'text/event-stream', true)
  assert.equal(reader.measuring, true)
  assert.equal(reader.contentEvents, 3)
  assert.deepEqual(times, [100, 100, 100], 'every event of one chunk has the chunk\'s time')
  assert.equal(reader.usageTokens, 5)
  assert.equal(reader.promptTokens, 7)
  assert.equal(reader.failure(), null)
  assert.deepEqual(reader.text, ['Hel', 'lo', ' wörld'])
})

test('split at every byte position, and byte by byte, the stream reads the same', () => {
  const bytes = Buffer.from(OPENAI)
  for (let cut = 1; cut < bytes.length; cut++) {
    const { reader } = read([bytes.subarray(0, cut), bytes.subarray(cut)], 'auto', 'text/event-stream', true)
    assert.equal(reader.contentEvents, 3, `cut at ${cut}`)
    assert.equal(reader.usageTokens, 5, `cut at ${cut}`)
    assert.deepEqual(reader.text, ['Hel', 'lo', ' wörld'], `cut at ${cut}: a character split across chunks is decoded whole`)
  }
  const one = read([...bytes].map((b) => Buffer.from([b])))
  assert.equal(one.reader.contentEvents, 3)
  assert.equal(one.reader.usageTokens, 5)
})

test('each event gets the time of the chunk that completed it', () => {
  // Chunks at 100, 101, 102, 103: the first token completes in the second chunk, the next two in the fourth.
  const [a, b, c] = [chunk({ content: 'a' }), chunk({ content: 'b' }), chunk({ content: 'c' })]
  const { times, recorder } = read([a.slice(0, 10), a.slice(10) + b.slice(0, 5), b.slice(5, 8), b.slice(8) + c])
  assert.deepEqual(times, [101, 103, 103])
  assert.equal(recorder.itl.count, 2)
  assert.equal(recorder.itl.min, 0, 'two events in one chunk: a gap of 0')
  assert.equal(recorder.itl.max, 2000, 'microseconds')
})

test('CRLF line ends, and a CR at the end of one chunk with its LF in the next', () => {
  const crlf = OPENAI.replace(/\n/g, '\r\n')
  assert.equal(read([crlf]).reader.contentEvents, 3)
  const cut = crlf.indexOf('\r\n') + 1
  const split = read([crlf.slice(0, cut), crlf.slice(cut)])
  assert.equal(split.reader.contentEvents, 3)
  assert.equal(split.reader.usageTokens, 5)
})

test('nothing after [DONE] counts', () => {
  const { reader } = read([chunk({ content: 'a' }) + 'data: [DONE]\n\n' + chunk({ content: 'late' })])
  assert.equal(reader.contentEvents, 1)
})

test('reasoning, tool calls and completions text count as content; without usage, tokens are the content events', () => {
  const { reader } = read([
    chunk({ reasoning_content: 'hmm' }) + chunk({ reasoning: 'so' }) + chunk({ tool_calls: [{ index: 0, function: { name: 'f' } }] }) +
    chunk({ tool_calls: [] }) + `data: ${JSON.stringify({ object: 'text_completion', choices: [{ text: 'x' }] })}\n\n` +
    `data: ${JSON.stringify({ object: 'text_completion', choices: [{ text: '' }] })}\n\n`
  ])
  assert.equal(reader.contentEvents, 4)
  assert.equal(reader.usageTokens, -1)
})

test('error events fail the stream with their message; a stream with no content fails too', () => {
  const typed = read([chunk({ content: 'a' }) + 'event: error\ndata: {"error": {"code": "SystemError", "message": "model overloaded"}}\n\n' + chunk({ content: 'b' })])
  assert.equal(typed.reader.failure(), 'error event: model overloaded')
  assert.equal(typed.reader.contentEvents, 1, 'the events before the error are kept')
  const inline = read([chunk({ content: 'a' }) + 'data: {"error": {"message": "out of memory", "type": "server_error"}}\n\n'])
  assert.equal(inline.reader.failure(), 'error event: out of memory')
  assert.equal(read([chunk({ role: 'assistant', content: '' }) + usage(0) + 'data: [DONE]\n\n']).reader.failure(), 'no content event in the stream')
  assert.equal(read([chunk({ content: 'a' }) + 'data: {not json\n\n'], 'openai').reader.failure(), 'an event is not JSON: {not json')
})

test("floodgate serve's /score events: the other outputs' event is not content, every chunk of the streamed field is", () => {
  const withRest = read(['data: {"source": "fixture"}\n\n', 'data: {"answer": "alpha"}\n\n', 'data: {"answer": " beta"}\n\n'])
  assert.deepEqual(withRest.times, [101, 102])
  const alone = read(['data: {"answer": "alpha"}\n\n', 'data: {"answer": " beta"}\n\n'])
  assert.deepEqual(alone.times, [100, 101], 'with no other outputs the first event is the first chunk')
  assert.deepEqual(read(['data: {"answer": "only"}\n\n']).times, [100], 'a lone chunk still counts, once the stream ends')
  assert.deepEqual(read(['data: {"a": 1, "b": 2}\n\n', 'data: {"answer": "x"}\n\n']).times, [101])
  assert.deepEqual(read(['data: hello\n\n', 'data: world\n\n']).times, [100, 101], 'plain text events are all content')
  const failed = read(['data: {"answer": "x"}\n\n', 'event: error\ndata: {"error": {"code": "SystemError", "message": "node chat failed"}}\n\n'])
  assert.equal(failed.reader.failure(), 'error event: node chat failed')
})

test('which responses are read: auto needs text/event-stream and 2xx; sse and openai read every 2xx; none reads nothing', () => {
  const recorder = new LlmRecorder()
  const cases: [StreamMode, number, string, boolean][] = [
    ['auto', 200, 'text/event-stream; charset=utf-8', true], ['auto', 200, 'application/json', false], ['auto', 503, 'text/event-stream', false],
    ['sse', 200, 'text/plain', true], ['openai', 201, '', true], ['openai', 429, 'text/event-stream', false], ['none', 200, 'text/event-stream', false]
  ]
  for (const [mode, status, type, measured] of cases) {
    const reader = new StreamReader(mode, recorder)
    reader.begin(0, status, type)
    assert.equal(reader.measuring, measured, `${mode} ${status} ${type}`)
  }
})

test('a reader reused for the next request starts clean, whatever the last one left half-parsed', () => {
  const recorder = new LlmRecorder()
  const reader = new StreamReader('auto', recorder)
  reader.begin(0, 200, 'text/event-stream')
  reader.feed(Buffer.from(chunk({ content: 'a' }) + 'data: {"choices": [{"delta": {"content": "cut'), 10)
  reader.reset()
  reader.begin(50, 200, 'text/event-stream')
  reader.feed(Buffer.from(chunk({ role: 'assistant', content: '' }) + chunk({ content: 'b' }) + usage(1)), 70)
  reader.end(80)
  assert.equal(reader.failure(), null)
  assert.equal(reader.contentEvents, 1, 'read as OpenAI chunks again: the role-only chunk is not content')
  assert.equal(reader.usageTokens, 1)
  assert.equal(reader.firstAt, 70)
  assert.equal(recorder.ttft.max, 20000, 'TTFT from the second request\'s start')
})

// Each case below pins a rule that a mutation of stream-reader.ts (npm run test:mutation -- stream-reader) broke unseen.

const data = (value: unknown) => `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`

test('an error event names its message from any envelope, cut at 200 characters', () => {
  const failure = (event: string) => read([chunk({ content: 'a' }) + event]).reader.failure()
  assert.equal(failure('event: error\ndata: {"error": "model overloaded"}\n\n'), 'error event: model overloaded')
  assert.equal(failure('event: error\ndata: {"message": "node chat failed"}\n\n'), 'error event: node chat failed')
  assert.equal(failure('event: error\ndata: {"error": null, "message": "from the envelope"}\n\n'), 'error event: from the envelope')
  assert.equal(failure('event: error\ndata: {"error": {"message": 42}}\n\n'), 'error event: {"error": {"message": 42}}', 'no text message: the data itself')
  assert.equal(failure('event: error\ndata: plain words\n\n'), 'error event: plain words')
  assert.equal(failure(`event: error\ndata: ${'x'.repeat(200)}\n\n`), `error event: ${'x'.repeat(200)}`)
  assert.equal(failure(`event: error\ndata: ${'y'.repeat(201)}\n\n`), `error event: ${'y'.repeat(200)}...`)
  assert.equal(read([chunk({ content: 'a' }) + `data: {${'z'.repeat(300)}\n\n`], 'openai').reader.failure(), `an event is not JSON: {${'z'.repeat(199)}...`)
  assert.equal(read(['data: hello\n\n' + 'event: error \ndata: {"error": "spaced"}\n\n']).reader.failure(), 'error event: spaced', 'the event name is trimmed')
  const named = read([`event: message\n${chunk({ content: 'a' })}`])
  assert.equal(named.reader.failure(), null, 'another event name is not an error')
  assert.equal(named.reader.contentEvents, 1)
  const nullError = read([data({ object: 'chat.completion.chunk', error: null, choices: [{ delta: { content: 'a' } }] })])
  assert.equal(nullError.reader.failure(), null, '"error": null is no error')
  assert.equal(nullError.reader.contentEvents, 1)
})

test('OpenAI chunks whose choices are not a list of choices carry no content, and never throw', () => {
  const { reader } = read([
    data({ object: 'chat.completion.chunk', choices: { 0: { delta: { content: 'not a list' } } } }) +
    data({ object: 'chat.completion.chunk', choices: [null] }) + data({ object: 'chat.completion.chunk', choices: [] }) + chunk({ content: 'a' })
  ], 'auto', 'text/event-stream', true)
  assert.equal(reader.contentEvents, 1)
  assert.deepEqual(reader.text, ['a'])
  assert.equal(reader.failure(), null)
})

test('a tool call is a content event with no text; an empty list of tool calls is none', () => {
  const calls = read([chunk({ tool_calls: [{ index: 0, function: { name: 'f' } }] })], 'auto', 'text/event-stream', true)
  assert.equal(calls.reader.contentEvents, 1)
  assert.deepEqual(calls.reader.text, [''])
  assert.equal(read([chunk({ tool_calls: [] }) + chunk({ content: 'a' })]).reader.contentEvents, 1)
})

test('an event that is JSON but not an object fails an OpenAI stream', () => {
  assert.equal(read([chunk({ content: 'a' }) + data('5')], 'openai').reader.failure(), 'an event is not an OpenAI chunk: 5')
  assert.equal(read([chunk({ content: 'a' }) + data('null')], 'openai').reader.failure(), 'an event is not an OpenAI chunk: null')
  assert.equal(read([data('hello')], 'openai').reader.failure(), 'an event is not JSON: hello', '--stream openai reads every event as a chunk')
})

test('usage counts only as numbers: prompt tokens alone, or none, leave the counts unknown', () => {
  const promptOnly = read([chunk({ content: 'a' }) + data({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 4 } })])
  assert.equal(promptOnly.reader.usageTokens, -1)
  assert.equal(promptOnly.reader.promptTokens, -1)
  const completionOnly = read([chunk({ content: 'a' }) + data({ object: 'chat.completion.chunk', choices: [], usage: { completion_tokens: 9 } })])
  assert.equal(completionOnly.reader.usageTokens, 9)
  assert.equal(completionOnly.reader.promptTokens, -1)
  assert.equal(read([chunk({ content: 'a' }) + data({ object: 'chat.completion.chunk', choices: [], usage: null })]).reader.usageTokens, -1)
})

test('which streams are OpenAI chunks: a list of choices, or an object type of chat.completion or text_completion', () => {
  // Read as OpenAI chunks, the role-only first chunk is not content; read as plain events, it would be.
  const noType = read([data({ choices: [{ delta: { role: 'assistant' } }] }) + data({ choices: [{ delta: { content: 'a' } }] })])
  assert.equal(noType.reader.contentEvents, 1)
  const usageFirst = read([data({ object: 'chat.completion.chunk', usage: { completion_tokens: 0 } }) + chunk({ content: 'a' })])
  assert.equal(usageFirst.reader.contentEvents, 1, 'an object type without choices: OpenAI')
  // Not OpenAI: plain events, each content (the first held until the second shows it is not other outputs).
  for (const object of ['x.chat.completion', 5]) {
    const generic = read([data({ object, n: 1 }) + data({ object, n: 2 })])
    assert.equal(generic.reader.contentEvents, 2, `object ${JSON.stringify(object)}`)
    assert.equal(generic.reader.failure(), null)
  }
})

test('[DONE] with spaces around it ends the stream', () => {
  for (const done of ['data: [DONE] \n\n', 'data:  [DONE]\n\n']) {
    const { reader } = read([chunk({ content: 'a' }) + done + chunk({ content: 'late' })])
    assert.equal(reader.contentEvents, 1, JSON.stringify(done))
    assert.equal(reader.failure(), null)
  }
})

test('a last event without its blank line, or without any line end, still counts when the body ends', () => {
  assert.equal(read([chunk({ content: 'a' }) + chunk({ content: 'b' }).trimEnd() + '\n']).reader.contentEvents, 2)
  assert.equal(read([chunk({ content: 'a' }) + chunk({ content: 'b' }).trimEnd()]).reader.contentEvents, 2)
})

test("plain events: the first is dropped only when the next is a one-key object whose key it does not share", () => {
  assert.deepEqual(read(['data: {"b": 1, "a": 2}\n\n', 'data: {"a": 1, "c": 1}\n\n']).times, [100, 101], 'the next has two keys: the first counts')
  assert.deepEqual(read(['data: {"answer": "x"}\n\n', 'data: plain\n\n']).times, [100, 101], 'the next is no object: the first counts')
  assert.deepEqual(read(['data: ["a"]\n\n', 'data: {"0": "x"}\n\n']).times, [101], 'a list has no key to share')
  assert.deepEqual(read(['data: {"answer": "x"}\n\n', 'data: {broken\n\n']).times, [100, 101], 'the next is not JSON: the first counts')
  const broken = read(['data: {broken\n\n', 'data: more\n\n'])
  assert.deepEqual([broken.times, broken.reader.failure()], [[100, 101], null], 'a first event that is not JSON: plain events, not OpenAI chunks')
  assert.deepEqual(read(['data: {"a": 1}\n\n', 'data: {"a": 2}\n\n', 'data: plain\n\n']).times, [100, 101, 102], 'the rule looks at the second event only')
})

test('a lone plain event counts even when its chunk arrived at time 0', () => {
  const recorder = new LlmRecorder()
  const reader = new StreamReader('sse', recorder)
  reader.begin(0, 200, 'text/plain')
  reader.feed(Buffer.from('data: x\n\n'), 0)
  reader.end(1)
  assert.equal(reader.contentEvents, 1)
  assert.equal(reader.firstAt, 0)
})

test('the longest gap between content events is kept for the stream', () => {
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((content) => chunk({ content }))
  const reader = new StreamReader('auto', new LlmRecorder())
  reader.begin(0, 200, 'text/event-stream')
  reader.feed(Buffer.from(a!), 10)
  reader.feed(Buffer.from(b!), 11)
  reader.feed(Buffer.from(c!), 14)
  reader.feed(Buffer.from(d!), 16)
  reader.end(20)
  assert.equal(reader.maxGapMs, 3)
})

test('bytes that are not UTF-8 become U+FFFD where they were, even when an ASCII chunk follows', () => {
  const head = Buffer.from('data: {"choices": [{"delta": {"content": "a')
  const { reader } = read([Buffer.concat([head, Buffer.from([0xc3])]), '"}}]}\n\n'], 'openai', 'text/event-stream', true)
  assert.deepEqual(reader.text, ['a\ufffd'])
})

test('statuses 2xx only; the text of a reply is kept only when asked', () => {
  for (const status of [199, 300]) {
    const reader = new StreamReader('auto', new LlmRecorder())
    reader.begin(0, status, 'text/event-stream')
    assert.equal(reader.measuring, false, String(status))
  }
  const reader = new StreamReader('auto', new LlmRecorder())
  reader.begin(0, 200, 'text/event-stream')
  assert.equal(reader.text, null)
})
