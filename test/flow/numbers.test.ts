// Numbers a JavaScript number cannot hold exactly are refused with a message saying so, never rounded in
// silence (18446744073709551616 arriving as 18446744073709552000), and 1e400 is named as too large, not
// as "a fractional number": in a /score body, in `run --inputs`, and a flow's defaults. The checks of
// input values and of `--input` themselves, which start no process, are in inputs.test.ts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runCli } from '../helpers/cli.js'
import { score, serveFixture } from '../serve/helpers.js'
import { flowDir } from './helpers/fixture.js'

const BIG = '18446744073709551616'
const SAFE = '±9007199254740991 (2^53 - 1)'

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
