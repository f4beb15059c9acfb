// Streaming outputs on their own: which outputs stream, joining them for a JSON answer, and the SSE body
// (pf serve's event format, a failure as `event: error`, an abort, the end callback), fed by real async
// generators standing in for a tool's stream.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { collectStreams, sseStream, streamFields } from '../../src/serve/stream.js'
import { isStream } from '../../src/flow/stream.js'
import { TimeoutError } from '../../src/errors.js'

async function* from<T>(items: T[], delayMs = 0): AsyncGenerator<T> {
  for (const item of items) {
    if (delayMs) await sleep(delayMs)
    yield item
  }
}

/** A stream that yields `items`, then fails with `error` (or ends); `closed` tells whether it was closed early. */
function scripted(items: string[], error?: Error): AsyncIterable<string> & { closed: boolean } {
  const stream = {
    closed: false,
    [Symbol.asyncIterator]() {
      let i = 0
      return {
        next: async () => {
          if (i < items.length) return { done: false as const, value: items[i++]! }
          if (error) throw error
          return { done: true as const, value: undefined }
        },
        return: async () => {
          stream.closed = true
          return { done: true as const, value: undefined }
        }
      }
    }
  }
  return stream
}

async function bodyOf(readable: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const piece of readable) text += String(piece)
  return text
}

test('isStream and streamFields find the outputs that stream', () => {
  for (const v of [from([]), { [Symbol.asyncIterator]: () => null }]) assert.equal(isStream(v), true)
  for (const v of [null, undefined, 'text', 3, [1], { [Symbol.asyncIterator]: 1 }, { next: () => null }]) assert.equal(isStream(v), false, String(v))
  assert.equal(streamFields({ a: 1, b: 'x', c: null }), undefined)
  assert.equal(streamFields({}), undefined)
  assert.deepEqual(streamFields({ a: 1, s: from(['x']), t: from([]) }), ['s', 't'])
})

test('collectStreams joins string chunks, lists other chunks, keeps the other outputs', async () => {
  const outputs = { text: from(['a', 'b', 'c']), numbers: from([1, 'two', 3]), empty: from([]), plain: 7 }
  const joined = await collectStreams(outputs, ['text', 'numbers', 'empty'], new AbortController().signal)
  assert.deepEqual(joined, { text: 'abc', numbers: [1, 'two', 3], empty: '', plain: 7 })
  assert.notEqual(joined, outputs)
})

test('collectStreams stops on abort with the signal reason', async () => {
  const controller = new AbortController()
  const reason = new TimeoutError('too slow')
  setTimeout(() => controller.abort(reason), 50)
  const started = performance.now()
  // The next chunk would come after 1.5 s: the abort does not wait for it.
  await assert.rejects(collectStreams({ s: from(['a', 'b'], 750) }, ['s'], controller.signal), (err) => err === reason)
  assert.ok(performance.now() - started < 700, 'the wait for the next chunk was cut')
  const stream = scripted(['a', 'b'])
  assert.deepEqual(await collectStreams({ s: stream }, ['s'], new AbortController().signal), { s: 'ab' })
  assert.equal(stream.closed, false, 'a stream read to its end is not closed early')
  const already = new AbortController()
  already.abort(reason)
  await assert.rejects(collectStreams({ s: from(['a']) }, ['s'], already.signal), (err) => err === reason)
})

test('sseStream: the other outputs first, then one event per chunk; onEnd once', async () => {
  let ends = 0
  const body = sseStream({ meta: 'm', answer: from(['Hel', 'lo', '"q"']), n: 2 }, 'answer', new AbortController().signal, () => ends++)
  assert.equal(await bodyOf(body), 'data: {"meta":"m","n":2}\n\ndata: {"answer":"Hel"}\n\ndata: {"answer":"lo"}\n\ndata: {"answer":"\\"q\\""}\n\n')
  assert.equal(ends, 1)
  const alone = sseStream({ answer: from([{ x: 1 }]) }, 'answer', new AbortController().signal, () => ends++)
  assert.equal(await bodyOf(alone), 'data: {"answer":{"x":1}}\n\n', 'no event for the other outputs when there are none')
  assert.equal(ends, 2)
})

test('sseStream: a failure mid-stream becomes an event: error with the envelope, and the stream is closed', async () => {
  let ends = 0
  const stream = scripted(['a'], new TimeoutError('the run did not finish in time'))
  const body = await bodyOf(sseStream({ answer: stream }, 'answer', new AbortController().signal, () => ends++))
  assert.equal(body, 'data: {"answer":"a"}\n\nevent: error\ndata: {"error":{"code":"SystemError","message":"the run did not finish in time","inner_error":{"code":"TIMEOUT"}}}\n\n')
  assert.equal(ends, 1)
  assert.equal(stream.closed, true, 'the failed stream was told to close')
})

test('sseStream: an abort ends the stream with the reason as an event: error', async () => {
  const controller = new AbortController()
  let ends = 0
  const body = sseStream({ answer: from(['a', 'b', 'c', 'd'], 100) }, 'answer', controller.signal, () => ends++)
  setTimeout(() => controller.abort(new TimeoutError('timed out')), 150)
  const text = await bodyOf(body)
  assert.equal(text, 'data: {"answer":"a"}\n\nevent: error\ndata: {"error":{"code":"SystemError","message":"timed out","inner_error":{"code":"TIMEOUT"}}}\n\n')
  assert.equal(ends, 1)
})

test('sseStream: a client that leaves early closes the stream and still calls onEnd', async () => {
  let ends = 0
  let closed = false
  async function* endless(): AsyncGenerator<string> {
    try {
      for (let i = 0; ; i++) yield String(i)
    } finally {
      closed = true
    }
  }
  const body = sseStream({ answer: endless() }, 'answer', new AbortController().signal, () => ends++)
  for await (const piece of body) {
    assert.equal(String(piece), 'data: {"answer":"0"}\n\n')
    break
  }
  for (let i = 0; i < 50 && (!closed || ends === 0); i++) await sleep(10)
  assert.equal(closed, true)
  assert.equal(ends, 1)
})

test('sseStream is a byte stream; its abort listener is removed once the stream ends', async () => {
  const controller = new AbortController()
  const body = sseStream({ answer: from(['a']) }, 'answer', controller.signal, () => {})
  assert.equal(body.readableObjectMode, false)
  assert.equal(await bodyOf(body), 'data: {"answer":"a"}\n\n')
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
})

test('a stream whose iterator has no return() is left alone when aborted', async () => {
  const controller = new AbortController()
  let i = 0
  const bare: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({ next: () => sleep(50).then(() => ({ done: false as const, value: String(i++) })) })
  }
  const body = sseStream({ answer: bare }, 'answer', controller.signal, () => {})
  setTimeout(() => controller.abort(new TimeoutError('timed out')), 80)
  assert.equal(await bodyOf(body), 'data: {"answer":"0"}\n\nevent: error\ndata: {"error":{"code":"SystemError","message":"timed out","inner_error":{"code":"TIMEOUT"}}}\n\n')
})
