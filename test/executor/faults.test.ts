// The executor's side of a tool's stray fault (src/executor/tool-scope.ts): whatever a tool's code runs
// later (a timer, a promise callback) stays in its node's scope, so the process-level listener that
// receives the fault (src/serve/tool-faults.ts, src/cli/run.ts; tested through the CLI in
// test/serve/tool-faults.test.ts) can fail that run, naming the node. Here the tool's timer calls that
// listener's attributeFault() itself: the scope, the run it finds and what failing it does are all real,
// in this process (the CLI tests run the built code, which a mutation run does not change).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { attributeFault, loadFlow, runningTool } from '../../src/executor/index.js'
import { ToolError } from '../../src/errors.js'
import { dagYaml, flowDir } from '../flow/helpers/fixture.js'

type Fault = ReturnType<typeof attributeFault>
const seen = globalThis as { reportFault?: (message: string) => void; noteRunning?: () => void }

// Raises a fault from a timer after `at` ms and returns after `ms`: a fault before the return fails the
// run, one after it finds the run ended.
const STRAY = `export default async function stray({ at, ms }) {
  setTimeout(() => globalThis.reportFault('stray ' + at), at)
  await new Promise((resolve) => setTimeout(resolve, ms))
  globalThis.noteRunning()
  return 'done'
}
`
const LLM = `export default async function llm(_inputs, context) {
  await new Promise((resolve) => setTimeout(resolve, 1))
  context.noteLlmCall({ provider: 'openai', operation: 'chat', requestModel: 'm' })
  return 'said'
}
`

async function strayFlow(t: import('node:test').TestContext, at: number, ms: number) {
  const yaml = dagYaml(`outputs:\n  r:\n    reference: \${stray.output}\nnodes:
- name: calm
  type: typescript
  source: {type: code, path: llm.mjs}
  inputs: {}
- name: stray
  type: typescript
  source: {type: code, path: stray.mjs}
  inputs:
    at: ${at}
    ms: ${ms}
`)
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'stray.mjs': STRAY, 'llm.mjs': LLM }))
  t.after(() => flow.close())
  return flow
}

function listen(t: import('node:test').TestContext): { faults: Fault[]; running: ReturnType<typeof runningTool>[] } {
  const faults: Fault[] = []
  const running: ReturnType<typeof runningTool>[] = []
  seen.reportFault = (message) => faults.push(attributeFault(new Error(message), 'uncaught exception'))
  seen.noteRunning = () => running.push(runningTool())
  t.after(() => {
    delete seen.reportFault
    delete seen.noteRunning
  })
  return { faults, running }
}

test('a fault raised later by a tool\'s code fails its run, naming the node and the fault', async (t) => {
  const { faults } = listen(t)
  const flow = await strayFlow(t, 5, 300)
  await assert.rejects(flow.execute(flow.validateInputs({}), { requestId: 'req-1' }), (err: ToolError) => {
    assert.ok(err instanceof ToolError)
    assert.equal(err.message, 'node "stray" failed: uncaught exception in its code: stray 5')
    assert.equal(err.details.node, 'stray')
    // The failed run's trace says which node failed, and why.
    const trace = err.details.trace as { nodes: Array<{ node: string; status: string; error?: string; durationMs: number }> }
    assert.deepEqual(trace.nodes.map((n) => [n.node, n.status, n.error]), [['calm', 'ok', undefined], ['stray', 'failed', err.message]])
    // Timed to its failure, 5 ms after it started, not left at 0.
    assert.ok(trace.nodes[1]!.durationMs >= 4, `stray ran ${trace.nodes[1]!.durationMs} ms`)
    assert.equal((err.cause as Error).message, 'stray 5')
    return true
  })
  assert.deepEqual(faults, [{ node: 'stray', requestId: 'req-1', failedRun: true }])
})

test('a fault after the run ended is traced to its node but fails nothing; outside a tool, to nothing', async (t) => {
  const { faults, running } = listen(t)
  const flow = await strayFlow(t, 60, 5)
  const { outputs, trace } = await flow.execute(flow.validateInputs({}), { requestId: 'req-2' })
  assert.equal(outputs.r, 'done')
  // The code after the tool's await still knows its node; so does its LLM call, reported through its context.
  assert.deepEqual(running, [{ node: 'stray', requestId: 'req-2' }])
  assert.deepEqual(trace.nodes.find((n) => n.node === 'calm')?.llm, { provider: 'openai', operation: 'chat', requestModel: 'm' })
  assert.equal(trace.nodes.find((n) => n.node === 'stray')?.llm, undefined)
  await new Promise((resolve) => setTimeout(resolve, 150))
  assert.deepEqual(faults, [{ node: 'stray', requestId: 'req-2', failedRun: false }])
  assert.equal(attributeFault(new Error('no tool'), 'uncaught exception'), undefined)
  assert.equal(runningTool(), undefined)
})

test('a node that finished keeps its own timing when its later fault fails the run; the node still running is cut off', async (t) => {
  const { faults } = listen(t)
  const slow = 'export default async function slow({ ms }) { await new Promise((resolve) => setTimeout(resolve, ms)); return ms }\n'
  const yaml = dagYaml(`outputs:\n  r:\n    reference: \${slow.output}\nnodes:
- name: stray
  type: typescript
  source: {type: code, path: stray.mjs}
  inputs: {at: 60, ms: 5}
- name: slow
  type: typescript
  source: {type: code, path: slow.mjs}
  inputs: {ms: 400}
`)
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'stray.mjs': STRAY, 'slow.mjs': slow }))
  t.after(() => flow.close())
  await assert.rejects(flow.execute(flow.validateInputs({}), { requestId: 'req-3' }), (err: ToolError) => {
    assert.equal(err.message, 'node "stray" failed: uncaught exception in its code: stray 60')
    const [stray, cut] = (err.details.trace as { nodes: Array<{ node: string; status: string; durationMs: number }> }).nodes
    assert.deepEqual([stray!.node, stray!.status, cut!.node, cut!.status], ['stray', 'failed', 'slow', 'cancelled'])
    // stray returned after its 5 ms: its fault at 60 ms does not stretch its time to the failure.
    assert.ok(stray!.durationMs >= 4 && stray!.durationMs < 50, `stray ran ${stray!.durationMs} ms`)
    assert.ok(cut!.durationMs >= 55 && cut!.durationMs < 400, `slow ran ${cut!.durationMs} ms before the run failed`)
    return true
  })
  assert.deepEqual(faults, [{ node: 'stray', requestId: 'req-3', failedRun: true }])
})
