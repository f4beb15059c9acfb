// The stream reader on its own: bytes in (as sockets deliver them, split anywhere), content events and
// their times out. What counts as content (OpenAI chunks, floodgate serve's fields, plain events), what
// never does (role-only, empty, usage-only chunks, comments, [DONE]), CRLF, error events and UTF-8
// split across chunks. Cut streams and real timing are in stream-timing.test.ts.
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
  reader.feed(Buffer.from(chunk({ content: 'b' })), 70)
  reader.end(80)
  assert.equal(reader.contentEvents, 1)
  assert.equal(reader.firstAt, 70)
  assert.equal(recorder.ttft.max, 20000, 'TTFT from the second request\'s start')
})
