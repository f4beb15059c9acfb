// Numbers a JavaScript number cannot hold exactly are refused with a message saying so, never rounded in
// silence (18446744073709551616 arriving as 18446744073709552000), and 1e400 is named as too large, not
// as "a fractional number": in a /score body, in `run --inputs`, `--input`, and a flow's defaults.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createInputValidator, parseInputArgs } from '../../src/flow/index.js'
import { InputError, UsageError } from '../../src/errors.js'
import type { InputDef } from '../../src/flow/types.js'
import { runCli } from '../helpers/cli.js'
import { score, serveFixture } from '../serve/helpers.js'
import { flowDir } from './helpers/fixture.js'

const defs: InputDef[] = [
  { name: 'n', type: 'int', hasDefault: true, default: 1 },
  { name: 'x', type: 'double', hasDefault: true, default: 0.5 }
]
const validate = createInputValidator(defs)
const BIG = '18446744073709551616'
const SAFE = '±9007199254740991 (2^53 - 1)'

test('values: an unsafe integer or an infinite number is named for what it is', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ n: Number(BIG) }, `input "n": expected int, got 18446744073709552000, beyond ${SAFE}, the largest integer a number holds exactly`],
    [{ n: Infinity }, 'input "n": expected int, got a number too large to represent (beyond ±1.8e308)'],
    [{ x: -Infinity }, 'input "x": expected double, got a number too large to represent (beyond ±1.8e308)'],
    [{ n: 1.5 }, 'input "n": expected int, got a fractional number']
  ]
  for (const [raw, message] of cases) {
    assert.throws(() => validate(raw), (e: unknown) => e instanceof InputError && e.message === message, message)
  }
  assert.deepEqual(validate({ n: 9007199254740991, x: 1e300 }), { n: 9007199254740991, x: 1e300 })
})

test('--input: an integer beyond 2^53 and a number beyond a double are usage errors saying so', () => {
  const cases: Array<[string, string]> = [
    [`n=${BIG}`, `--input n=${BIG}: input "n" is int, and ${BIG} is beyond ${SAFE}, the largest integer a number holds exactly`],
    ['x=1e400', '--input x=1e400: input "x" is double, and 1e400 is too large to represent (beyond ±1.8e308)']
  ]
  for (const [arg, message] of cases) {
    assert.throws(() => parseInputArgs(defs, [arg]), (e: unknown) => e instanceof UsageError && e.message === message, message)
  }
  assert.deepEqual(parseInputArgs(defs, ['n=-9007199254740991', 'x=1e300']), { n: -9007199254740991, x: 1e300 })
})

test('POST /score: big integers and 1e400 anywhere in the body are refused with 400 naming the literal', async (t) => {
  const server = await serveFixture('typed')
  t.after(() => server.close())
  const cases: Array<[string, string]> = [
    [`{"question": "q", "n": ${BIG}}`, `request body: ${BIG} is an integer beyond ${SAFE}, the largest a JSON number holds exactly in JavaScript; it would arrive as 18446744073709552000: send it as a string`],
    [`{"question": "q", "chat_history": [{"id": -${BIG}1}]}`, `request body: -${BIG}1 is an integer beyond ${SAFE}, the largest a JSON number holds exactly in JavaScript; it would arrive as -184467440737095500000: send it as a string`],
    ['{"question": "q", "n": 1e400}', 'request body: 1e400 is too large for a JSON number in JavaScript (beyond ±1.8e308); it would arrive as Infinity']
  ]
  for (const [body, message] of cases) {
    const res = await score(server.url, body)
    assert.equal(res.status, 400, res.text)
    assert.deepEqual(res.body, { error: { code: 'UserError', message, inner_error: { code: 'BAD_REQUEST', field: 'body' } } })
  }
  // Long digit runs inside strings, and exact values, are fine.
  const ok = await score(server.url, `{"question": "${BIG}", "n": 9007199254740991, "chat_history": [1.5e300]}`)
  assert.equal(ok.status, 200, ok.text)
})

test('floodgate run --inputs with a big integer, and a flow whose int default is beyond 2^53', async (t) => {
  const dir = await flowDir(t, {
    'flow.dag.yaml': `inputs:\n  n: {type: int, default: ${BIG}}\noutputs:\n  n: {reference: "\${echo.output}"}\nnodes:\n- name: echo\n  type: typescript\n  source: {type: code, path: echo.mjs}\n  inputs: {n: "\${inputs.n}"}\n`,
    'echo.mjs': 'export default async function echo({ n }) { return n }\n'
  })
  const r = await runCli(['run', dir])
  assert.equal(r.code, 1, r.stderr)
  assert.match(r.stderr, new RegExp(`flow\\.dag\\.yaml: inputs\\.n\\.default: expected int, got 18446744073709552000, beyond ±9007199254740991 \\(2\\^53 - 1\\), the largest integer a number holds exactly\\n$`))
  const typed = await runCli(['run', 'test/serve/fixtures/typed', '--inputs', `{"question": "q", "n": ${BIG}}`])
  assert.equal(typed.code, 2, typed.stderr)
  assert.equal(typed.stderr, `floodgate: --inputs: ${BIG} is an integer beyond ${SAFE}, the largest a JSON number holds exactly in JavaScript; it would arrive as 18446744073709552000: send it as a string\n`)
})
