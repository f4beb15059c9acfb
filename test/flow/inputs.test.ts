// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { convertText, createInputValidator, parseInputArgs } from '../../src/flow/index.js'
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
// Numbers a JavaScript number cannot hold exactly (test/flow/numbers.test.ts: the same in a request body
// and on the command line).
const BIG = '18446744073709551616'
const SAFE = '±9007199254740991 (2^53 - 1)'

test('defaults fill what is missing and unknown keys are ignored', () => {
  const out = validate({ question: 'q', extra: 1 })
  assert.deepEqual(out, { question: 'q', chat_history: [], n: 1, temp: 0.5, stream: false, meta: {}, color: 'red' })
})

test('list and object defaults are copies, so runs cannot leak into each other', () => {
  const a = validate({ question: 'q' })
  ;(a.chat_history as unknown[]).push('x')
  assert.deepEqual(validate({ question: 'q' }).chat_history, [])
})

test('values of the declared types pass as given', () => {
  const raw = { question: 'q', chat_history: [{ role: 'user' }], n: 12, temp: 2, stream: true, meta: { k: [1] }, color: 'blue' }
  assert.deepEqual(validate(raw), raw)
  assert.deepEqual(validate({ question: '', stream: false, n: -9007199254740991, temp: -1e300 }), {
    question: '', chat_history: [], n: -9007199254740991, temp: -1e300, stream: false, meta: {}, color: 'red'
  })
})

test('a missing required input is named', () => {
  assert.throws(() => validate({}), { name: 'InputError', message: 'missing required input "question"', details: { input: 'question' } })
})

test('wrong types are named with what was expected', () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ question: 3 }, 'question', 'input "question": expected string, got number'],
    [{ question: 'q', n: 1.5 }, 'n', 'input "n": expected int, got a fractional number'],
    [{ question: 'q', n: Number(BIG) }, 'n', `input "n": expected int, got 18446744073709552000, beyond ${SAFE}, the largest integer a number holds exactly`],
    [{ question: 'q', n: Infinity }, 'n', 'input "n": expected int, got a number too large to represent (beyond ±1.8e308)'],
    [{ question: 'q', temp: -Infinity }, 'temp', 'input "temp": expected double, got a number too large to represent (beyond ±1.8e308)'],
    // A text is read as PromptFlow reads it (below); one that is none of the type is named so.
    [{ question: 'q', temp: 'hot' }, 'temp', 'input "temp": expected double, got a string that is not a number'],
    [{ question: 'q', stream: 'yes' }, 'stream', 'input "stream": expected bool, got a string that is not true or false (in any case)'],
    [{ question: 'q', n: '1.5' }, 'n', 'input "n": expected int, got a string that is not an integer'],
    [{ question: 'q', n: BIG }, 'n', `input "n": expected int, got a string whose number is beyond ${SAFE}, the largest integer a number holds exactly`],
    [{ question: 'q', temp: '1e400' }, 'temp', 'input "temp": expected double, got a string whose number is too large to represent (beyond ±1.8e308)'],
    [{ question: 'q', chat_history: '{}' }, 'chat_history', 'input "chat_history": expected list, got a string that is not a JSON list'],
    [{ question: 'q', meta: 'nope' }, 'meta', 'input "meta": expected object, got a string that is not a JSON object'],
    [{ question: 'q', color: 5 }, 'color', 'input "color": expected string, got number'],
    [{ question: 'q', stream: 0 }, 'stream', 'input "stream": expected bool, got number'],
    [{ question: 'q', chat_history: {} }, 'chat_history', 'input "chat_history": expected list, got object'],
    [{ question: 'q', meta: [] }, 'meta', 'input "meta": expected object, got list'],
    [{ question: null }, 'question', 'input "question": expected string, got null'],
    [{ question: 'q', color: 'green' }, 'color', 'input "color": "green" is not one of "red", "blue"'],
    // A request's value is quoted, not sent back whole: 80 characters of its JSON, then what was cut.
    [{ question: 'q', color: 'g'.repeat(100_000) }, 'color', `input "color": "${'g'.repeat(79)}... (a string of 100000 characters) is not one of "red", "blue"`]
  ]
  for (const [raw, input, message] of cases) {
    assert.throws(() => validate(raw), { name: 'InputError', message, details: { input } }, message)
  }
})

// PromptFlow's executor parses every input by its type (contracts/tool.py, ValueType.parse): a client of
// pf serve may send "12" for an int, "True" for a bool, "[1]" for a list.
test('a value sent as text is read by the input type, as PromptFlow reads it, then checked as any other', () => {
  assert.deepEqual(validate({ question: 'q', n: ' 12 ', temp: '0.25', stream: 'True', chat_history: '[{"a": 1}]', meta: '{"k": [1]}' }), {
    question: 'q', n: 12, temp: 0.25, stream: true, chat_history: [{ a: 1 }], meta: { k: [1] }, color: 'red'
  })
  // The enum is checked on the value read.
  const sized = createInputValidator([{ name: 'size', type: 'int', hasDefault: false, enum: [1, 2] }])
  assert.deepEqual(sized({ size: '2' }), { size: 2 })
  assert.throws(() => sized({ size: '3' }), { name: 'InputError', message: 'input "size": 3 is not one of 1, 2', details: { input: 'size' } })
  // A number, bool, text or null is in its enum as includes() finds it: -0 (JSON's "-0") is 0.
  const zero = createInputValidator([{ name: 'z', type: 'double', hasDefault: false, enum: [0, 1.5] }])
  assert.ok(Object.is(zero({ z: -0 }).z, -0))
  assert.ok(Object.is(zero({ z: '-0' }).z, -0))
})

test('a list or object enum admits a value equal by content, and refuses the rest', () => {
  const check = createInputValidator([
    { name: 'pair', type: 'list', hasDefault: false, enum: [[1, 2], [3]] },
    { name: 'shape', type: 'object', hasDefault: true, default: { w: 1 }, enum: [{ w: 1 }, { w: 2, h: [1] }] }
  ])
  assert.deepEqual(check({ pair: [1, 2], shape: { h: [1], w: 2 } }), { pair: [1, 2], shape: { h: [1], w: 2 } })
  assert.throws(() => check({ pair: [2, 1] }), { name: 'InputError', message: 'input "pair": [2,1] is not one of [1,2], [3]', details: { input: 'pair' } })
  assert.throws(() => check({ pair: [3], shape: { w: 2, h: [2] } }), { name: 'InputError', message: 'input "shape": {"w":2,"h":[2]} is not one of {"w":1}, {"w":2,"h":[1]}', details: { input: 'shape' } })
})

test('--input values are converted by declared type', () => {
  const out = parseInputArgs(defs, ['question=a=b', 'n=-3', 'temp=1e-2', 'stream=true', 'chat_history=[1]', 'meta={"k":1}'])
  assert.deepEqual(out, { question: 'a=b', n: -3, temp: 0.01, stream: true, chat_history: [1], meta: { k: 1 } })
  const cases: Array<[string, unknown]> = [
    ['question=', ''],
    ['n=12', 12],
    ['n=+7', 7],
    ['n= 12 ', 12],
    ['n=-9007199254740991', -9007199254740991],
    ['temp= 12.5 ', 12.5],
    ['temp=1e300', 1e300],
    ['temp=.25', 0.25],
    ['temp=-3.', -3],
    ['temp=+2E-3', 0.002],
    ['temp=007', 7],
    // "_" between digits, as Python's int() and float() read them.
    ['n=1_000_000', 1_000_000],
    ['n=-1_0', -10],
    ['temp=0.000_1', 0.0001],
    ['temp=1_0.5e1_0', 10.5e10],
    ['stream=false', false],
    // As PromptFlow reads a bool from text: true and false in any case.
    ['stream=True', true],
    ['stream=FALSE', false],
    ['stream=tRUe', true]
  ]
  for (const [arg, value] of cases) {
    const name = arg.slice(0, arg.indexOf('='))
    assert.deepEqual(parseInputArgs(defs, [arg]), { [name]: value }, arg)
  }
})

test('bad --input values are usage errors naming the flag and the input', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['question', '--input question: expected name=value', undefined],
    ['=1', '--input =1: expected name=value', undefined],
    ['nope=1', '--input nope=1: the flow has no input "nope" (inputs: question, chat_history, n, temp, stream, meta, color)', 'nope'],
    ['n=1.5', '--input n=1.5: input "n" is int, expected an integer', 'n'],
    ['n=', '--input n=: input "n" is int, expected an integer', 'n'],
    [`n=${BIG}`, `--input n=${BIG}: input "n" is int, and ${BIG} is beyond ${SAFE}, the largest integer a number holds exactly`, 'n'],
    [`n= ${BIG} `, `--input n= ${BIG} : input "n" is int, and ${BIG} is beyond ${SAFE}, the largest integer a number holds exactly`, 'n'],
    ['temp=1e400', '--input temp=1e400: input "temp" is double, and 1e400 is too large to represent (beyond ±1.8e308)', 'temp'],
    ['temp=x', '--input temp=x: input "temp" is double, expected a number', 'temp'],
    ['temp=', '--input temp=: input "temp" is double, expected a number', 'temp'],
    ['temp= ', '--input temp= : input "temp" is double, expected a number', 'temp'],
    // Decimal notation only, as PromptFlow's float() reads a double: not hexadecimal, binary or octal.
    ['temp=0x10', '--input temp=0x10: input "temp" is double, expected a number', 'temp'],
    ['temp=0b11', '--input temp=0b11: input "temp" is double, expected a number', 'temp'],
    ['temp=0o7', '--input temp=0o7: input "temp" is double, expected a number', 'temp'],
    ['temp=Infinity', '--input temp=Infinity: input "temp" is double, expected a number', 'temp'],
    // A "_" only between two digits.
    ['n=1__0', '--input n=1__0: input "n" is int, expected an integer', 'n'],
    ['n=_1', '--input n=_1: input "n" is int, expected an integer', 'n'],
    ['n=1_', '--input n=1_: input "n" is int, expected an integer', 'n'],
    ['temp=1_.5', '--input temp=1_.5: input "temp" is double, expected a number', 'temp'],
    ['temp=1._5', '--input temp=1._5: input "temp" is double, expected a number', 'temp'],
    // PromptFlow takes neither 1 and 0 nor yes and no for a bool.
    ['stream=1', '--input stream=1: input "stream" is bool, expected true or false (in any case)', 'stream'],
    ['stream=0', '--input stream=0: input "stream" is bool, expected true or false (in any case)', 'stream'],
    ['stream=yes', '--input stream=yes: input "stream" is bool, expected true or false (in any case)', 'stream'],
    ['stream=', '--input stream=: input "stream" is bool, expected true or false (in any case)', 'stream'],
    // As PromptFlow: numbers may have spaces around them, true and false may not.
    ['stream= true', '--input stream= true: input "stream" is bool, expected true or false (in any case)', 'stream'],
    ['stream=False ', '--input stream=False : input "stream" is bool, expected true or false (in any case)', 'stream'],
    ['chat_history={}', '--input chat_history={}: input "chat_history" is list, expected a JSON list', 'chat_history'],
    ['meta=[', '--input meta=[: input "meta" is object, expected a JSON object', 'meta']
  ]
  for (const [arg, message, input] of cases) {
    const details = input === undefined ? { flag: '--input' } : { flag: '--input', input }
    assert.throws(() => parseInputArgs(defs, [arg]), { name: 'UsageError', message, details }, message)
  }
  assert.throws(() => parseInputArgs([], ['x=1']), {
    name: 'UsageError', message: '--input x=1: the flow has no input "x" (inputs: none)', details: { flag: '--input', input: 'x' }
  })
})

// A batch cell can be large. The decimal check once split a run of digits every way (quadratic: 0.5 s
// for 20,000 digits, minutes for this one); it is one pass now.
test('a double as text: a million digits are read or refused in one pass', () => {
  const digits = '1'.repeat(1_000_000)
  assert.equal(convertText({ name: 'temp', type: 'double' } as InputDef, `${digits}x`), undefined)
  assert.equal(convertText({ name: 'temp', type: 'double' } as InputDef, `${digits}.5`), Number(`${digits}.5`))
  assert.equal(convertText({ name: 'temp', type: 'double' } as InputDef, ' -1.e5 '), -1e5)
  const grouped = '1_'.repeat(300_000)
  assert.equal(convertText({ name: 'temp', type: 'double' } as InputDef, `${grouped}x`), undefined)
  assert.equal(convertText({ name: 'n', type: 'int' } as InputDef, `${grouped}x`), undefined)
  assert.equal(convertText({ name: 'n', type: 'int' } as InputDef, `${grouped}1`), Number(`${'1'.repeat(300_000)}1`))
})
