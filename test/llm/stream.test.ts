// The SSE parser of streaming LLM replies on its own: events split anywhere, CRLF, multi-line data,
// event types, comments and other fields. (The stream against real servers: client.test.ts.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SseParser } from '../../src/llm/stream.js'

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
  assert.deepEqual(p.push('data: after\n\n'), [['message', 'after']], 'an event type with no data is dropped with it')
  assert.deepEqual(p.push('event:   spaced  \ndata: x\n\n'), [['spaced', 'x']])
})
