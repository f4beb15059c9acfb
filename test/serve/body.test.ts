// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseScoreBody } from '../../src/serve/body.js'
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

test('single-input flow: null, numbers and objects', () => {
  assert.deepEqual(parseScoreBody('null', one), { text: null })
  assert.deepEqual(parseScoreBody('42', one), { text: 42 })
  assert.deepEqual(parseScoreBody('{"text": "as a key"}', one), { text: 'as a key' })
  assert.deepEqual(parseScoreBody('', one), {}, 'an empty body is no input, not an empty text')
})

test('every refusal: status 400, field body, and the exact message, for flows of two inputs and of none', () => {
  const none: InputDef[] = []
  const big = '18446744073709551616'
  const cases: Array<[string, readonly InputDef[], string]> = [
    ['{"question": ', two, 'request body is not valid JSON (Unexpected end of JSON input); a flow with 2 inputs (question, chat_history) needs a JSON object whose keys are its inputs'],
    ['{oops}', none, "request body is not valid JSON (Expected property name or '}' in JSON at position 1); a flow with no inputs needs a JSON object whose keys are its inputs"],
    ['null', two, 'request body must be a JSON object whose keys are the flow inputs; got null, and the flow has 2 inputs (question, chat_history)'],
    ['42', two, 'request body must be a JSON object whose keys are the flow inputs; got a number, and the flow has 2 inputs (question, chat_history)'],
    ['true', none, 'request body must be a JSON object whose keys are the flow inputs; got a boolean, and the flow has no inputs'],
    [`{"question": "q", "n": ${big}}`, two,
      `request body: ${big} is an integer beyond ±9007199254740991 (2^53 - 1), the largest a JSON number holds exactly in JavaScript; it would arrive as 18446744073709552000: send it as a string`],
    [`${big}`, one,
      `request body: ${big} is an integer beyond ±9007199254740991 (2^53 - 1), the largest a JSON number holds exactly in JavaScript; it would arrive as 18446744073709552000: send it as a string`]
  ]
  for (const [body, inputs, message] of cases) {
    assert.throws(() => parseScoreBody(body, inputs), { name: 'HttpRequestError', httpStatus: 400, message, details: { field: 'body' } }, body)
  }
})
