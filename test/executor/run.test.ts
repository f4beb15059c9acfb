import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadFlow } from '../../src/executor/index.js'
import { AbortedError, TimeoutError, ToolError } from '../../src/errors.js'
import { dagYaml, flowDir } from '../flow/helpers/fixture.js'
import type { RunTrace } from '../../src/executor/types.js'

const ECHO = 'export default async function echo(inputs) { return inputs }\n'
const ABORTABLE_SLEEP = 'export default async function s({ ms }, { signal }) { await new Promise((r) => { const t = setTimeout(r, ms); signal.addEventListener("abort", () => { clearTimeout(t); r() }) }) }\n'

function node(name: string, inputs: string, path = 'echo.mjs', extra = ''): string {
  return `- name: ${name}\n  type: typescript\n  source:\n    type: code\n    path: ${path}\n  inputs:\n${inputs}\n${extra ? `${extra}\n` : ''}`
}

async function load(t: import('node:test').TestContext, yaml: string, files: Record<string, string> = {}, options = {}) {
  const dir = await flowDir(t, { 'flow.dag.yaml': yaml, 'echo.mjs': ECHO, ...files })
  const flow = await loadFlow(dir, options)
  t.after(() => flow.close())
  return flow
}

test('reference forms: inputs, flow, node, node.output and property paths; literals as is', async (t) => {
  const yaml = dagYaml(`outputs:
  whole:
    reference: \${b.output}
  deep:
    reference: \${b.output.fromPath}
  input:
    reference: \${inputs.question}
nodes:
${node('a', '    q: ${inputs.question}\n    n: ${flow.n}\n    nested:\n      k: [1, 2]')}
${node('b', '    all: ${a}\n    out: ${a.output}\n    fromPath: ${a.output.nested.k}\n    literal: 42\n    text: "not ${a} a ref"')}`)
  const flow = await load(t, yaml)
  const { outputs } = await flow.execute(flow.validateInputs({ question: 'why', n: 7 }))
  const a = { q: 'why', n: 7, nested: { k: [1, 2] } }
  assert.deepEqual(outputs.whole, { all: a, out: a, fromPath: [1, 2], literal: 42, text: 'not ${a} a ref' })
  assert.deepEqual(outputs.deep, [1, 2])
  assert.equal(outputs.input, 'why')
})

test('a missing property on a path fails the run naming node and path', async (t) => {
  const flow = await load(t, dagYaml(`nodes:\n${node('a', '    q: 1')}${node('b', '    x: ${a.output.nested.k}')}`))
  await assert.rejects(flow.execute(flow.validateInputs({})), (e: unknown) =>
    e instanceof ToolError && e.message === 'node "b": input "x": ${a.output.nested.k}: the output of node "a" has no property "nested"' && e.details.node === 'b')
})

test('nodes start as soon as their own dependencies finish, with no level barrier', async (t) => {
  const sleeper = 'export default async function s({ ms }) { await new Promise((r) => setTimeout(r, ms)); return ms }\n'
  // slow (300) and fast (50) both start at once; after_fast waits only for fast, so it starts near 50 ms.
  const yaml = dagYaml(`nodes:\n${node('slow', '    ms: 300', 'sleep.mjs')}${node('fast', '    ms: 50', 'sleep.mjs')}${node('after_fast', '    ms: 10\n    x: ${fast.output}', 'sleep.mjs')}${node('join', '    ms: 0\n    a: ${slow}\n    b: ${after_fast}', 'sleep.mjs')}`)
  const flow = await load(t, yaml, { 'sleep.mjs': sleeper })
  const { trace } = await flow.execute(flow.validateInputs({}))
  const at = Object.fromEntries(trace.nodes.map((n) => [n.node, n]))
  assert.ok(at.after_fast!.startMs < 250, `after_fast started at ${at.after_fast!.startMs} ms, before slow finished`)
  assert.ok(at.join!.startMs >= at.slow!.startMs + at.slow!.durationMs - 1)
  assert.deepEqual(trace.nodes.map((n) => n.status), ['ok', 'ok', 'ok', 'ok'])
  assert.ok(trace.nodes.every((n) => n.ranOn === 'loop'))
})

test('activate bypasses a node; dependents of only bypassed nodes are bypassed; outputs are null', async (t) => {
  const yaml = dagYaml(`outputs:
  gated:
    reference: \${gated.output}
  downstream:
    reference: \${downstream.output}
  mixed:
    reference: \${mixed.output}
nodes:
${node('gated', '    q: ${inputs.question}', 'echo.mjs', '  activate:\n    when: ${inputs.question}\n    is: go')}${node('downstream', '    x: ${gated.output}')}${node('other', '    q: 1')}${node('mixed', '    g: ${gated.output}\n    o: ${other.output}')}`)
  const flow = await load(t, yaml)
  const skipped = await flow.execute(flow.validateInputs({ question: 'stop' }))
  assert.deepEqual(skipped.outputs, { gated: null, downstream: null, mixed: { g: undefined, o: { q: 1 } } })
  const status = Object.fromEntries(skipped.trace.nodes.map((n) => [n.node, n.status]))
  assert.deepEqual(status, { gated: 'bypassed', downstream: 'bypassed', other: 'ok', mixed: 'ok' })
  const ran = await flow.execute(flow.validateInputs({ question: 'go' }))
  assert.deepEqual(ran.outputs.downstream, { x: { q: 'go' } })
})

// PromptFlow (executor/_dag_manager.py, _is_node_bypassable): a node with activate is decided by its
// condition alone, even when every node its inputs reference was bypassed; its condition's node bypassed
// bypasses it.
test('a node with activate runs when its condition is met, though every node its inputs reference was bypassed', async (t) => {
  const yaml = dagYaml(`outputs:
  late:
    reference: \${late.output}
  chained:
    reference: \${chained.output}
nodes:
${node('gated', '    q: ${inputs.question}', 'echo.mjs', '  activate:\n    when: ${inputs.question}\n    is: go')}${node('late', '    g: ${gated.output}', 'echo.mjs', '  activate:\n    when: ${inputs.mode}\n    is: on')}${node('chained', '    q: 1', 'echo.mjs', '  activate:\n    when: ${gated.output}\n    is: null')}`)
  const flow = await load(t, yaml.replace('inputs:\n', 'inputs:\n  mode:\n    type: string\n    default: on\n'))
  const run = await flow.execute(flow.validateInputs({ question: 'stop' }))
  assert.deepEqual(run.outputs, { late: { g: undefined }, chained: null })
  assert.deepEqual(run.trace.nodes.map((n) => [n.node, n.status]), [['gated', 'bypassed'], ['late', 'ok'], ['chained', 'bypassed']])
  const off = await flow.execute(flow.validateInputs({ question: 'stop', mode: 'off' }))
  assert.equal(off.outputs.late, null)
})

test('activate.when may reference a node output', async (t) => {
  const yaml = dagYaml(`outputs:\n  r:\n    reference: \${b.output}\nnodes:\n${node('a', '    flag: ${inputs.n}')}${node('b', '    q: 1', 'echo.mjs', '  activate:\n    when: ${a.output.flag}\n    is: 2')}`)
  const flow = await load(t, yaml)
  assert.equal((await flow.execute(flow.validateInputs({ n: 1 }))).outputs.r, null)
  assert.deepEqual((await flow.execute(flow.validateInputs({ n: 2 }))).outputs.r, { q: 1 })
})

// PromptFlow takes a `when` that is no reference as a literal (contracts/flow.py: ActivateCondition.deserialize
// keeps whatever InputAssignment.deserialize makes of it) and compares it with `is` like any other value
// (executor/_dag_manager.py: _is_condition_met): the node then always runs, or never.
test('a literal activate.when is accepted, as in PromptFlow: the node runs when it equals is, and is bypassed otherwise', async (t) => {
  const cases: Array<[string, string, unknown]> = [
    ['yes', 'yes', { q: 1 }],
    ['3', '3', { q: 1 }],
    ['plain text', '"plain text"', { q: 1 }],
    ['[1, {a: b}]', '[1, {a: b}]', { q: 1 }],
    ['yes', 'no', null],
    ['3', '"3"', null],
    ['true', '"true"', null]
  ]
  for (const [when, is, r] of cases) {
    const flow = await load(t, dagYaml(`outputs:\n  r:\n    reference: \${b.output}\nnodes:\n${node('b', '    q: 1', 'echo.mjs', `  activate:\n    when: ${when}\n    is: ${is}`)}`))
    assert.deepEqual((await flow.execute(flow.validateInputs({}))).outputs.r, r, `when: ${when}, is: ${is}`)
  }
})

test('aggregation nodes are parsed but never run per request', async (t) => {
  const yaml = dagYaml(`nodes:\n${node('a', '    q: 1')}${node('agg', '    x: ${a.output}', 'boom.mjs', '  aggregation: true')}`)
  const flow = await load(t, yaml, { 'boom.mjs': 'export default async function b() { throw new Error("aggregation ran") }\n' })
  const { trace } = await flow.execute(flow.validateInputs({}))
  assert.deepEqual(trace.nodes.map((n) => n.node), ['a'])
})

test('a tool that throws fails the run naming the node, with the tool message', async (t) => {
  const flow = await load(t, dagYaml(`nodes:\n${node('chat', '    q: 1', 'boom.mjs')}`), { 'boom.mjs': 'export default async function b() { throw new Error("upstream said 500") }\n' })
  const err = await flow.execute(flow.validateInputs({})).catch((e: unknown) => e)
  assert.ok(err instanceof ToolError)
  assert.equal(err.message, 'node "chat" failed: upstream said 500')
  assert.equal(err.details.node, 'chat')
})

test('a node timeout aborts the run and the tool sees its signal abort', async (t) => {
  const hang = `export let seen = null
export default async function hang(_inputs, { signal }) {
  await new Promise((resolve) => signal.addEventListener('abort', resolve))
  globalThis.hangAborted = signal.reason?.message
}\n`
  const flow = await load(t, dagYaml(`nodes:\n${node('slow', '    q: 1', 'hang.mjs')}`), { 'hang.mjs': hang }, { nodeTimeoutMs: 100 })
  const err = await flow.execute(flow.validateInputs({})).catch((e: unknown) => e)
  assert.ok(err instanceof TimeoutError)
  assert.equal(err.message, 'node "slow" timed out after 100 ms')
  await new Promise((r) => setImmediate(r))
  assert.equal((globalThis as Record<string, unknown>).hangAborted, 'node "slow" timed out after 100 ms')
})

test('a run timeout names the nodes still running', async (t) => {
  const flow = await load(t, dagYaml(`nodes:\n${node('a', '    ms: 5000', 'sleep.mjs')}`), { 'sleep.mjs': ABORTABLE_SLEEP }, { runTimeoutMs: 5000 })
  const started = performance.now()
  const err = await flow.execute(flow.validateInputs({}), { timeoutMs: 150 }).catch((e: unknown) => e)
  assert.ok(err instanceof TimeoutError)
  assert.equal(err.message, 'run timed out after 150 ms (still running: a)')
  assert.ok(performance.now() - started < 2000)
  // The node cut off by the timeout is traced as cancelled, with the time it ran, not as "ok" after 0 ms.
  const [a] = (err.details.trace as RunTrace).nodes
  assert.equal(a!.status, 'cancelled')
  assert.equal(a!.error, 'cancelled: run timed out after 150 ms (still running: a)')
  assert.ok(a!.durationMs >= 140, `ran ${a!.durationMs} ms`)
})

test('an abort signal stops the run with AbortedError', async (t) => {
  const flow = await load(t, dagYaml(`nodes:\n${node('a', '    ms: 5000', 'sleep.mjs')}`), { 'sleep.mjs': ABORTABLE_SLEEP })
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('client went away')), 50)
  await assert.rejects(flow.execute(flow.validateInputs({}), { signal: controller.signal }), (e: unknown) =>
    e instanceof AbortedError && e.message === 'run aborted: client went away')
  await assert.rejects(flow.execute(flow.validateInputs({}), { signal: AbortSignal.abort(new Error('already')) }), AbortedError)
})

test('a tool returning an async iterable passes it through as a streaming output', async (t) => {
  const stream = 'export default async function* s() { yield "a"; yield "b" }\n'
  const flow = await load(t, dagYaml(`outputs:\n  text:\n    reference: \${s.output}\nnodes:\n${node('s', '    q: 1', 'stream.mjs')}`), { 'stream.mjs': stream })
  const { outputs } = await flow.execute(flow.validateInputs({}))
  const chunks: string[] = []
  for await (const c of outputs.text as AsyncIterable<string>) chunks.push(c)
  assert.deepEqual(chunks, ['a', 'b'])
})

test('a streaming output that fails midway names its node; stopping early closes the node\'s stream', async (t) => {
  const stream = `export default async function* s({ n }) {
  try { yield "a"; if (n === 2) throw new Error("upstream hung up"); yield "b" } finally { globalThis.streamClosed = true }
}\n`
  const yaml = dagYaml(`outputs:\n  text:\n    reference: \${s.output}\nnodes:\n${node('s', '    n: ${inputs.n}', 'stream.mjs')}`)
  const flow = await load(t, yaml, { 'stream.mjs': stream })
  const failing = (await flow.execute(flow.validateInputs({ n: 2 }))).outputs.text as AsyncIterable<string>
  const chunks: string[] = []
  const err = await (async () => { for await (const c of failing) chunks.push(c) })().catch((e: unknown) => e)
  assert.deepEqual(chunks, ['a'])
  assert.ok(err instanceof ToolError)
  assert.equal(err.message, 'node "s" failed: upstream hung up')
  assert.equal(err.details.node, 's')

  const g = globalThis as Record<string, unknown>
  g.streamClosed = false
  const whole = (await flow.execute(flow.validateInputs({}))).outputs.text as AsyncIterable<string>
  for await (const c of whole) if (c === 'a') break
  assert.equal(g.streamClosed, true, 'the node\'s generator ran its finally')
})

test('flex: an async function entry receives the inputs object', async (t) => {
  const dir = await flowDir(t, {
    'flow.flex.yaml': 'entry: flow:answer\ninputs:\n  question:\n    type: string\n    default: hi\n',
    'flow.ts': 'export async function answer({ question }: { question: string }) { return `you asked ${question}` }\n'
  })
  const flow = await loadFlow(dir)
  t.after(() => flow.close())
  const { outputs, trace } = await flow.execute(flow.validateInputs({}))
  assert.deepEqual(outputs, { output: 'you asked hi' })
  assert.equal(flow.kind, 'flex')
  assert.deepEqual(trace.nodes.map((n) => [n.node, n.ranOn, n.status]), [['answer', 'loop', 'ok']])
})

test('flex: a class is constructed once with init and called through call(); declared outputs are picked', async (t) => {
  const dir = await flowDir(t, {
    'flow.flex.yaml': 'entry: flow:Counter\ninit:\n  start: 10\ninputs:\n  step:\n    type: int\noutputs:\n  total:\n    type: int\n',
    'flow.ts': 'export class Counter { total: number; constructor({ start }: { start: number }) { this.total = start } async call({ step }: { step: number }) { this.total += step; return { total: this.total, extra: 1 } } }\n'
  })
  const flow = await loadFlow(dir)
  t.after(() => flow.close())
  assert.deepEqual((await flow.execute(flow.validateInputs({ step: 1 }))).outputs, { total: 11 })
  assert.deepEqual((await flow.execute(flow.validateInputs({ step: 5 }))).outputs, { total: 16 })
})

test('flex: a sync class runs on the pool, one instance per thread built from init', async (t) => {
  const dir = await flowDir(t, {
    'flow.flex.yaml': 'entry: flow:Greeter\ninit:\n  greeting: hello\ninputs:\n  name:\n    type: string\n',
    'flow.ts': "import { threadId } from 'node:worker_threads'\nexport class Greeter { constructor(private init: { greeting: string }) {} call({ name }: { name: string }) { return { text: `${this.init.greeting} ${name}`, threadId } } }\n"
  })
  const flow = await loadFlow(dir, { threads: 1 })
  t.after(() => flow.close())
  const { outputs, trace } = await flow.execute(flow.validateInputs({ name: 'ann' }))
  assert.equal(outputs.text, 'hello ann')
  assert.notEqual(outputs.threadId, 0)
  assert.equal(trace.nodes[0]!.ranOn, 'pool')
})

test('loadFlow refuses timeouts a timer cannot hold and bad thread counts, before it reads the folder', async () => {
  const refused = (options: Parameters<typeof loadFlow>[1], field: string, message: string) =>
    assert.rejects(loadFlow('no such folder', options), { name: 'UsageError', message, details: { field } }, message)
  const limit = 'and at most 2147483000 (24.8 days, the longest delay a Node.js timer holds)'
  await refused({ runTimeoutMs: 3e9 }, 'runTimeoutMs', `runTimeoutMs: expected milliseconds >= 0 (0 means none) ${limit}, got 3000000000`)
  await refused({ nodeTimeoutMs: 2_147_483_001 }, 'nodeTimeoutMs', `nodeTimeoutMs: expected milliseconds >= 0 (0 means none) ${limit}, got 2147483001`)
  await refused({ nodeTimeoutMs: -1 }, 'nodeTimeoutMs', `nodeTimeoutMs: expected milliseconds >= 0 (0 means none) ${limit}, got -1`)
  await refused({ threads: 0 }, 'threads', 'threads: expected a positive integer, got 0')
  // At the limit the options pass, and the folder is what fails.
  await assert.rejects(loadFlow('no such folder', { runTimeoutMs: 2_147_483_000 }), { name: 'FlowDefinitionError' })
})
