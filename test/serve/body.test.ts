// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseScoreBody } from '../../src/serve/body.js'
import { parseAccept } from '../../src/serve/negotiate.js'
import { HttpRequestError } from '../../src/errors.js'
import type { InputDef } from '../../src/flow/types.js'

const one: InputDef[] = [{ name: 'text', type: 'string', hasDefault: false }]
const two: InputDef[] = [
  { name: 'question', type: 'string', hasDefault: true, default: 'q' },
  { name: 'chat_history', type: 'list', hasDefault: true, default: [] }
]

test('a JSON object is the inputs', () => {
  assert.deepEqual(parseScoreBody('{"question":"hi","chat_history":[]}', two), { question: 'hi', chat_history: [] })
})

test('an empty body means all defaults', () => {
  assert.deepEqual(parseScoreBody('', two), {})
  assert.deepEqual(parseScoreBody(undefined, two), {})
})

test('single-input flow: non-JSON text and non-object JSON are that input', () => {
  assert.deepEqual(parseScoreBody('hello there', one), { text: 'hello there' })
  assert.deepEqual(parseScoreBody('"quoted"', one), { text: 'quoted' })
  assert.deepEqual(parseScoreBody('[1,2]', one), { text: [1, 2] })
})

test('multi-input flow: malformed JSON is a 400 naming the inputs', () => {
  assert.throws(
    () => parseScoreBody('{"question": ', two),
    (err) =>
      err instanceof HttpRequestError &&
      err.httpStatus === 400 &&
      /^request body is not valid JSON \(.+\); a flow with 2 inputs \(question, chat_history\) needs a JSON object whose keys are its inputs$/.test(err.message)
  )
})

test('multi-input flow: an array or a string body is a 400', () => {
  assert.throws(() => parseScoreBody('[1,2]', two), {
    message: 'request body must be a JSON object whose keys are the flow inputs; got an array, and the flow has 2 inputs (question, chat_history)'
  })
  assert.throws(() => parseScoreBody('"hi"', two), {
    message: 'request body must be a JSON object whose keys are the flow inputs; got a string, and the flow has 2 inputs (question, chat_history)'
  })
})

test('a __proto__ key is dropped, not turned into a prototype', () => {
  const parsed = parseScoreBody('{"__proto__": {"polluted": true}, "question": "x"}', two)
  assert.deepEqual(Object.keys(parsed), ['question'])
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
})

test('Accept negotiation follows pf serve', () => {
  assert.deepEqual(parseAccept(undefined), { json: true, eventStream: false })
  assert.deepEqual(parseAccept('*/*'), { json: true, eventStream: false })
  assert.deepEqual(parseAccept('text/event-stream'), { json: false, eventStream: true })
  assert.deepEqual(parseAccept('text/event-stream, application/json;q=0.5'), { json: true, eventStream: true })
  assert.deepEqual(parseAccept('application/*'), { json: true, eventStream: false })
  assert.deepEqual(parseAccept('text/html'), { json: false, eventStream: false })
  assert.deepEqual(parseAccept('application/json;q=0'), { json: false, eventStream: false })
})
