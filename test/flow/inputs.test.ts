// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createInputValidator, parseInputArgs } from '../../src/flow/index.js'
import { InputError, UsageError } from '../../src/errors.js'
import type { InputDef } from '../../src/flow/types.js'

const defs: InputDef[] = [
  { name: 'question', type: 'string', hasDefault: false },
  { name: 'chat_history', type: 'list', hasDefault: true, default: [] },
  { name: 'n', type: 'int', hasDefault: true, default: 1 },
  { name: 'temp', type: 'double', hasDefault: true, default: 0.5 },
  { name: 'stream', type: 'bool', hasDefault: true, default: false },
  { name: 'meta', type: 'object', hasDefault: true, default: {} },
  { name: 'color', type: 'string', hasDefault: true, default: 'red', enum: ['red', 'blue'] }
]
const validate = createInputValidator(defs)

test('defaults fill what is missing and unknown keys are ignored', () => {
  const out = validate({ question: 'q', extra: 1 })
  assert.deepEqual(out, { question: 'q', chat_history: [], n: 1, temp: 0.5, stream: false, meta: {}, color: 'red' })
})

test('list and object defaults are copies, so runs cannot leak into each other', () => {
  const a = validate({ question: 'q' })
  ;(a.chat_history as unknown[]).push('x')
  assert.deepEqual(validate({ question: 'q' }).chat_history, [])
})

test('a missing required input is named', () => {
  assert.throws(() => validate({}), (e: unknown) => e instanceof InputError && e.message === 'missing required input "question"')
})

test('wrong types are named with what was expected', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ question: 3 }, 'input "question": expected string, got number'],
    [{ question: 'q', n: 1.5 }, 'input "n": expected int, got a fractional number'],
    [{ question: 'q', temp: 'hot' }, 'input "temp": expected double, got string'],
    [{ question: 'q', stream: 'yes' }, 'input "stream": expected bool, got string'],
    [{ question: 'q', chat_history: {} }, 'input "chat_history": expected list, got object'],
    [{ question: 'q', meta: [] }, 'input "meta": expected object, got list'],
    [{ question: null }, 'input "question": expected string, got null'],
    [{ question: 'q', color: 'green' }, 'input "color": "green" is not one of "red", "blue"']
  ]
  for (const [raw, message] of cases) {
    assert.throws(() => validate(raw), (e: unknown) => e instanceof InputError && e.message === message, message)
  }
})

test('--input values are converted by declared type', () => {
  const out = parseInputArgs(defs, ['question=a=b', 'n=-3', 'temp=1e-2', 'stream=true', 'chat_history=[1]', 'meta={"k":1}'])
  assert.deepEqual(out, { question: 'a=b', n: -3, temp: 0.01, stream: true, chat_history: [1], meta: { k: 1 } })
})

test('bad --input values are usage errors naming the flag', () => {
  const cases: Array<[string, string]> = [
    ['question', '--input question: expected name=value'],
    ['nope=1', '--input nope=1: the flow has no input "nope" (inputs: question, chat_history, n, temp, stream, meta, color)'],
    ['n=1.5', '--input n=1.5: input "n" is int, expected an integer'],
    ['temp=x', '--input temp=x: input "temp" is double, expected a number'],
    ['stream=1', '--input stream=1: input "stream" is bool, expected true or false'],
    ['chat_history={}', '--input chat_history={}: input "chat_history" is list, expected a JSON list'],
    ['meta=[', '--input meta=[: input "meta" is object, expected a JSON object']
  ]
  for (const [arg, message] of cases) {
    assert.throws(() => parseInputArgs(defs, [arg]), (e: unknown) => e instanceof UsageError && e.message === message, message)
  }
})
