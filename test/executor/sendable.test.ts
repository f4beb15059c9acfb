// A sync tool that returns what cannot leave its pool thread (a function, a symbol, a promise inside
// an object) fails its run with a message saying what and where, not "[object Object]"; the thread keeps
// serving.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadFlow } from '../../src/executor/index.js'
import { ToolError } from '../../src/errors.js'
import { flowDir } from '../flow/helpers/fixture.js'

const FLOW = `inputs:
  what: {type: string, default: ok}
outputs:
  answer: {reference: "\${tool.output}"}
nodes:
- name: tool
  type: javascript
  source: {type: code, path: tool.mjs}
  inputs: {what: "\${inputs.what}"}
`
const TOOL = `export default function tool({ what }) {
  if (what === 'function') return () => 1
  if (what === 'nested') return { list: [1, { format: function format() {} }] }
  if (what === 'symbol') return { tag: Symbol('x') }
  if (what === 'promise-of-function') return Promise.resolve({ later: () => 2 })
  if (what === 'promise') return Promise.resolve('awaited')
  return { ok: [1, 'two', null, { three: true }] }
}
`

test('a sync tool returning a function (or a symbol, or one inside its result) fails naming what and where', async (t) => {
  const dir = await flowDir(t, { 'flow.dag.yaml': FLOW, 'tool.mjs': TOOL })
  const flow = await loadFlow(dir, { threads: 1 })
  t.after(() => flow.close())
  const tail = 'which cannot leave its pool thread; return plain data (strings, numbers, booleans, null, lists, objects)'
  const cases: Array<[string, string]> = [
    ['function', `node "tool" failed: the sync tool returned a function, ${tail}`],
    ['nested', `node "tool" failed: the sync tool returned a function at list[1].format, ${tail}`],
    ['symbol', `node "tool" failed: the sync tool returned a symbol at tag, ${tail}`],
    ['promise-of-function', `node "tool" failed: the sync tool returned a function at later, ${tail}`]
  ]
  for (const [what, message] of cases) {
    await assert.rejects(flow.execute(flow.validateInputs({ what })), (err: unknown) => err instanceof ToolError && err.message === message, what)
  }
  assert.deepEqual((await flow.execute(flow.validateInputs({ what: 'promise' }))).outputs, { answer: 'awaited' })
  assert.deepEqual((await flow.execute(flow.validateInputs({}))).outputs, { answer: { ok: [1, 'two', null, { three: true }] } })
})
