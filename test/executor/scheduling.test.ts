// One run's scheduling and cancellation in detail, all on the event loop (no pool, so it runs fast): what
// errors carry, what a run leaves behind once it settled (no late node starts, no trace changes, no
// stale timers or listeners), references that miss, and flex entries' outputs.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadFlow } from '../../src/executor/index.js'
import { AbortedError, TimeoutError, ToolError, UpstreamError } from '../../src/errors.js'
import type { CompiledFlow, LoadFlowOptions } from '../../src/executor/types.js'
import { dagYaml, flowDir } from '../flow/helpers/fixture.js'

const ERRORS = pathToFileURL(new URL('../../src/errors.ts', import.meta.url).pathname).href
const ECHO = 'export default async function echo(inputs) { return inputs }\n'
// Waits `ms` whatever its signal says, then marks globalThis[mark] (a late finisher).
const STUBBORN = 'export default async function s({ ms, mark }) { await new Promise((r) => setTimeout(r, ms)); if (mark) globalThis[mark] = true; return ms }\n'
const REJECT_LATE = 'export default async function r({ ms }) { await new Promise((r) => setTimeout(r, ms)); throw new Error("late failure") }\n'
const THROWS = `import { ToolError, TimeoutError, UpstreamError } from ${JSON.stringify(ERRORS)}
export default async function t({ kind }) {
  if (kind === 'own') throw new UpstreamError('node "t": the LLM said no', { node: 't' })
  if (kind === 'other') throw new UpstreamError('node "elsewhere": no', { node: 'elsewhere' })
  if (kind === 'timeout') throw new TimeoutError('gave up')
  if (kind === 'tool') throw new ToolError('already named')
  throw new RangeError('plain')
}\n`

function node(name: string, inputs: string, path = 'echo.mjs', extra = ''): string {
  return `- name: ${name}\n  type: typescript\n  source:\n    type: code\n    path: ${path}\n  inputs:\n${inputs}\n${extra ? `${extra}\n` : ''}`
}

async function load(t: TestContext, yaml: string, options: LoadFlowOptions = {}): Promise<CompiledFlow> {
  const dir = await flowDir(t, { 'flow.dag.yaml': yaml, 'echo.mjs': ECHO, 'stubborn.mjs': STUBBORN, 'reject.mjs': REJECT_LATE, 'throws.mjs': THROWS })
  const flow = await loadFlow(dir, options)
  t.after(() => flow.close())
  return flow
}

const failureOf = (p: Promise<unknown>): Promise<unknown> => p.then(() => assert.fail('the run succeeded'), (e: unknown) => e)

test('errors carry their details: node and run timeouts, an external abort, a wrapped tool failure', async (t) => {
  const nodeTimeout = await load(t, dagYaml(`nodes:\n${node('slow', '    ms: 300', 'stubborn.mjs')}`), { nodeTimeoutMs: 50 })
  const a = await failureOf(nodeTimeout.execute(nodeTimeout.validateInputs({})))
  assert.ok(a instanceof TimeoutError)
  assert.deepEqual([a.details.node, a.details.timeoutMs], ['slow', 50])

  // Two nodes at once, one done before the timeout: only the other is named as still running.
  const runTimeout = await load(t, dagYaml(`nodes:\n${node('quick', '    ms: 10', 'stubborn.mjs')}${node('slow', '    ms: 300', 'stubborn.mjs')}${node('slower', '    ms: 400', 'stubborn.mjs')}`))
  const b = await failureOf(runTimeout.execute(runTimeout.validateInputs({}), { timeoutMs: 100 }))
  assert.ok(b instanceof TimeoutError)
  assert.equal(b.message, 'run timed out after 100 ms (still running: slow, slower)')
  assert.deepEqual([b.details.timeoutMs, b.details.running], [100, ['slow', 'slower']])

  const reason = new Error('client went away')
  const controller = new AbortController()
  setTimeout(() => controller.abort(reason), 20)
  const c = await failureOf(runTimeout.execute(runTimeout.validateInputs({}), { signal: controller.signal }))
  assert.ok(c instanceof AbortedError)
  assert.equal(c.details.reason, reason)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'the run let go of the signal')
  const unused = new AbortController()
  await nodeTimeout.execute(nodeTimeout.validateInputs({}), { signal: unused.signal, timeoutMs: 0 }).catch(() => {})
  const finished = await load(t, dagYaml(`nodes:\n${node('quick', '    ms: 1', 'stubborn.mjs')}`))
  await finished.execute(finished.validateInputs({}), { signal: unused.signal })
  assert.equal(getEventListeners(unused.signal, 'abort').length, 0, 'runs that ended let go of a signal that never aborted')

  const failing = await load(t, dagYaml(`nodes:\n${node('t', '    kind: plain', 'throws.mjs')}${node('after', '    x: ${t.output}')}`))
  const d = await failureOf(failing.execute(failing.validateInputs({})))
  assert.ok(d instanceof ToolError)
  assert.equal(d.message, 'node "t" failed: plain')
  assert.ok(d.cause instanceof RangeError)
  // The trace names the failed node; the node that never started is not in it.
  const trace = d.details.trace as { nodes: Array<{ node: string; status: string; error?: string }>; durationMs: number }
  assert.deepEqual(trace.nodes.map((n) => [n.node, n.status, n.error]), [['t', 'failed', 'node "t" failed: plain']])
  assert.ok(trace.durationMs >= 0 && trace.durationMs < 5000, String(trace.durationMs))
})

test('an error that already names its node keeps its class; others are wrapped naming the node', async (t) => {
  const flow = await load(t, dagYaml(`nodes:\n${node('t', '    kind: ${inputs.question}', 'throws.mjs')}`))
  const run = (kind: string) => failureOf(flow.execute(flow.validateInputs({ question: kind })))
  const own = await run('own')
  assert.ok(own instanceof UpstreamError && own.message === 'node "t": the LLM said no')
  const other = await run('other')
  assert.ok(other instanceof ToolError && other.message === 'node "t" failed: node "elsewhere": no' && other.cause instanceof UpstreamError)
  const timeout = await run('timeout')
  assert.ok(timeout instanceof TimeoutError && timeout.message === 'gave up')
  const tool = await run('tool')
  assert.ok(tool instanceof ToolError && tool.message === 'already named')
})

test('once settled, a run starts nothing more and its trace stays as it was', async (t) => {
  const mark = `lateStart${Date.now()}`
  const flow = await load(t, dagYaml(`nodes:\n${node('a', '    ms: 150', 'stubborn.mjs')}${node('b', `    ms: 1\n    mark: ${mark}\n    after: \${a.output}`, 'stubborn.mjs')}${node('c', '    ms: 120', 'reject.mjs')}`))
  const err = await failureOf(flow.execute(flow.validateInputs({}), { timeoutMs: 50 }))
  assert.ok(err instanceof TimeoutError)
  const snapshot = JSON.stringify((err as TimeoutError).details.trace)
  await sleep(250) // a finishes at 150 ms, c fails at 120 ms: both after the run settled
  assert.equal((globalThis as Record<string, unknown>)[mark], undefined, 'b started after the run had failed')
  assert.equal(JSON.stringify((err as TimeoutError).details.trace), snapshot, 'late results changed the trace')
})

test('a node timer is cleared when its node finishes: it cannot fail the run later', async (t) => {
  // Each node takes well under the 300 ms node timeout, the chain 410 ms: a's timer must not fire at 300 ms.
  const flow = await load(t, dagYaml(`nodes:\n${node('a', '    ms: 10', 'stubborn.mjs')}${node('b', '    ms: 200\n    x: ${a.output}', 'stubborn.mjs')}${node('c', '    ms: 200\n    x: ${b.output}', 'stubborn.mjs')}`), { nodeTimeoutMs: 300 })
  const startedAt = performance.now()
  const { trace } = await flow.execute(flow.validateInputs({}))
  const elapsed = performance.now() - startedAt
  assert.deepEqual(trace.nodes.map((n) => n.status), ['ok', 'ok', 'ok'])
  const [a, b, c] = trace.nodes
  assert.ok(c!.startMs >= b!.startMs + b!.durationMs - 1 && b!.startMs >= a!.startMs + a!.durationMs - 1, JSON.stringify(trace))
  assert.ok(b!.durationMs >= 195 && b!.durationMs < 2000, `b took ${b!.durationMs} ms`)
  assert.ok(trace.durationMs >= 400 && trace.durationMs <= elapsed, `the run took ${trace.durationMs} ms of the ${elapsed} ms the call did`)
})

test('a settled run leaves no timer of its own behind: its run timer and its node timers are cleared', async (t) => {
  // Minutes-long limits: a timer left behind would hold a `floodgate run` process open that long.
  const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
  const limits = { nodeTimeoutMs: 600_000, runTimeoutMs: 600_000 }
  const ok = await load(t, dagYaml(`nodes:\n${node('a', '    ms: 5', 'stubborn.mjs')}${node('b', '    ms: 5\n    x: ${a.output}', 'stubborn.mjs')}`), limits)
  const before = timers()
  const { trace } = await ok.execute(ok.validateInputs({}))
  assert.deepEqual(trace.nodes.map((n) => n.status), ['ok', 'ok'])
  assert.equal(timers(), before, 'a run that succeeded left a timer')
  // Failed by one node while another still runs: that one's node timer goes with the run's.
  const failing = await load(t, dagYaml(`nodes:\n${node('slow', '    ms: 60', 'stubborn.mjs')}${node('t', '    kind: plain', 'throws.mjs')}`), limits)
  const err = await failureOf(failing.execute(failing.validateInputs({})))
  assert.ok(err instanceof ToolError, String(err))
  await sleep(120) // the slow tool's own 60 ms wait is over
  assert.equal(timers(), before, 'a run that failed left a timer')
})

test('capture keeps each node\'s arguments and result in its trace (for exported traces); without it, neither', async (t) => {
  const flow = await load(t, dagYaml(`nodes:\n${node('a', '    q: ${inputs.question}')}`))
  const captured = await flow.start(flow.validateInputs({ question: 'why' }), { capture: true }).promise
  assert.deepEqual(captured.trace.nodes.map((n) => [n.inputs, n.output]), [[{ q: 'why' }, { q: 'why' }]])
  const plain = await flow.execute(flow.validateInputs({ question: 'why' }))
  assert.deepEqual(plain.trace.nodes.map((n) => [n.inputs, n.output]), [[undefined, undefined]])
  assert.deepEqual(plain.outputs, {})
})

test('a run handle aborts the run with the reason given; the tool sees its signal', async (t) => {
  const waits = 'export default async function w(_i, { signal }) { await new Promise((r) => signal.addEventListener("abort", r)); globalThis.handleAbortSeen = signal.reason.message }\n'
  const dir = await flowDir(t, { 'flow.dag.yaml': dagYaml(`nodes:\n${node('w', '    q: 1', 'waits.mjs')}`), 'waits.mjs': waits })
  const flow = await loadFlow(dir)
  t.after(() => flow.close())
  const handle = flow.start(flow.validateInputs({}))
  const reason = new AbortedError('the client closed the connection')
  setTimeout(() => handle.abort(reason), 20)
  assert.equal(await failureOf(handle.promise), reason)
  await sleep(10)
  assert.equal((globalThis as Record<string, unknown>).handleAbortSeen, 'the client closed the connection')
})

test('references that miss name the place: a node input, activate.when, a flow output; a bypassed node reads as undefined', async (t) => {
  const yaml = `inputs:\n  obj:\n    type: object\n    default: {a: {b: 1}}\n  go:\n    type: string\n    default: "no"\noutputs:\n  o:\n    reference: \${a.output.q.deep}\n  m:\n    reference: \${mixed.output}\nnodes:\n` +
    node('a', '    q: ${inputs.obj}') +
    node('gated', '    q: 1', 'echo.mjs', '  activate:\n    when: ${inputs.go}\n    is: "yes"') +
    node('mixed', '    g: ${gated.output.anything}\n    a: ${a.output.q.a.b}')
  const ok = await load(t, yaml)
  const result = await failureOf(ok.execute(ok.validateInputs({})))
  assert.ok(result instanceof ToolError)
  assert.equal(result.message, 'output "o": ${a.output.q.deep}: the output of node "a" has no property "q.deep"')
  assert.deepEqual(result.details.field, 'outputs.o')

  const input = await load(t, yaml.replace('nodes:\n', `nodes:\n${node('n', '    v: ${inputs.obj.a.nope.deeper}')}`))
  const e1 = await failureOf(input.execute(input.validateInputs({})))
  assert.ok(e1 instanceof ToolError)
  assert.equal(e1.message, 'node "n": input "v": ${inputs.obj.a.nope.deeper}: input "obj" has no property "a.nope"')
  assert.deepEqual([e1.details.node, e1.details.field], ['n', 'v'])

  const when = await load(t, dagYaml(`nodes:\n${node('a', '    q: 1')}${node('b', '    q: 1', 'echo.mjs', '  activate:\n    when: ${a.output.nope}\n    is: 1')}`))
  const e2 = await failureOf(when.execute(when.validateInputs({})))
  assert.ok(e2 instanceof ToolError)
  assert.equal(e2.message, 'node "b": activate.when: ${a.output.nope}: the output of node "a" has no property "nope"')

  // With every output found: the bypassed node's property reads as undefined, not as an error.
  const fine = await load(t, yaml.replace('${a.output.q.deep}', '${a.output.q.a}'))
  const { outputs } = await fine.execute(fine.validateInputs({}))
  assert.deepEqual(outputs, { o: { b: 1 }, m: { g: undefined, a: 1 } })
})

test('a flow with no nodes answers its outputs from the inputs at once', async (t) => {
  const flow = await load(t, dagYaml('outputs:\n  q:\n    reference: ${inputs.question}\nnodes: []\n'))
  const { outputs, trace } = await flow.execute(flow.validateInputs({ question: 'direct' }))
  assert.deepEqual(outputs, { q: 'direct' })
  assert.deepEqual(trace.nodes, [])
})

async function flex(t: TestContext, outputs: string, body: string): Promise<CompiledFlow> {
  const dir = await flowDir(t, {
    'flow.flex.yaml': `entry: flow:entry\ninputs:\n  v:\n    type: string\n    default: x\n${outputs}`,
    'flow.mjs': `export async function entry({ v }) { ${body} }\n`
  })
  const flow = await loadFlow(dir)
  t.after(() => flow.close())
  return flow
}

test('flex outputs: an object as is, anything else as {output}, declared ones picked or named when missing', async (t) => {
  assert.deepEqual((await (await flex(t, '', 'return { a: v }')).execute({ v: 'x' })).outputs, { a: 'x' })
  assert.deepEqual((await (await flex(t, '', 'return undefined')).execute({ v: 'x' })).outputs, { output: null })
  assert.deepEqual((await (await flex(t, '', 'return [v]')).execute({ v: 'x' })).outputs, { output: ['x'] })
  const declared = 'outputs:\n  a:\n    type: string\n  b:\n    type: string\n'
  assert.deepEqual((await (await flex(t, declared, 'return { a: 1, b: 2, c: 3 }')).execute({ v: 'x' })).outputs, { a: 1, b: 2 })
  const missing = await failureOf((await flex(t, declared, 'return { a: 1 }')).execute({ v: 'x' }))
  assert.ok(missing instanceof ToolError)
  assert.equal(missing.message, 'entry returned no "b", a declared output')
  assert.deepEqual([missing.details.node, missing.details.field], ['entry', 'outputs.b'])
  const nullish = await failureOf((await flex(t, declared, 'return null')).execute({ v: 'x' }))
  assert.ok(nullish instanceof ToolError)
  assert.equal(nullish.message, 'entry returned null, but the flow declares outputs a, b: return an object with them')
  assert.equal(nullish.details.node, 'entry')
  const text = await failureOf((await flex(t, declared, 'return "text"')).execute({ v: 'x' }))
  assert.equal((text as Error).message, 'entry returned string, but the flow declares outputs a, b: return an object with them')
})
