import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadFlow } from '../../src/flow/index.js'
import { TimeoutError, ToolError } from '../../src/errors.js'
import { dagYaml, flowDir } from '../flow/helpers/fixture.js'
import type { CompiledFlow, RunResult } from '../../src/executor/types.js'

const BLOCK = "import { sleepSync } from 'floodgate/tools'\nexport default function block({ ms }: { ms: number }): number { sleepSync(ms); return ms }\n"

function blockNode(name: string, ms: number | string, extra = ''): string {
  return `- name: ${name}\n  type: typescript\n  source:\n    type: code\n    path: block.ts\n  inputs:\n    ms: ${ms}\n${extra}`
}

test('four blocking sync tools sleep in the pool while the event loop keeps its timers on time', async (t) => {
  const yaml = dagYaml(`nodes:\n${[1, 2, 3, 4].map((i) => blockNode(`n${i}`, 500)).join('')}`)
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'block.ts': BLOCK }), { threads: 4 })
  t.after(() => flow.close())
  let last = performance.now()
  let maxLag = 0
  let ticks = 0
  const timer = setInterval(() => {
    const now = performance.now()
    maxLag = Math.max(maxLag, now - last - 10)
    last = now
    ticks++
  }, 10)
  const started = performance.now()
  const { trace } = await flow.execute(flow.validateInputs({}))
  const elapsed = performance.now() - started
  clearInterval(timer)
  assert.ok(trace.nodes.every((n) => n.ranOn === 'pool' && n.status === 'ok'))
  // Four 500 ms sleeps on four threads overlap: well under the 2000 ms they would take in a row.
  assert.ok(elapsed < 1500, `took ${elapsed} ms`)
  assert.ok(maxLag < 50, `event loop lagged ${maxLag} ms`)
  assert.ok(ticks >= 20, `only ${ticks} timer ticks in ${elapsed} ms`)
})

/** One sync node blocking its pool thread for input `ms` (default 5000). */
const STUCK_FLOW = dagYaml(`  ms:\n    type: int\n    default: 5000\noutputs:\n  answer:\n    reference: \${stuck.output}\nnodes:\n${blockNode('stuck', '${inputs.ms}')}`)

/**
 * The property a timeout must leave behind: the one pool thread is free again. A 10 ms run right after
 * returns within 1 s (a new thread loads the tool in ~0.2 s); had the blocked thread not been cancelled,
 * it would wait behind the 5 s block.
 */
async function assertThreadFreed(flow: CompiledFlow): Promise<void> {
  const started = performance.now()
  const result = await flow.execute(flow.validateInputs({ ms: 10 }), { timeoutMs: 0 }).catch((e: unknown) => e)
  const elapsed = performance.now() - started
  if (result instanceof Error) assert.fail(`a 10 ms run after the timeout failed (${result.message}): the blocked thread was not cancelled`)
  assert.deepEqual((result as RunResult).outputs, { answer: 10 })
  assert.ok(elapsed < 1000, `a 10 ms run after the timeout took ${Math.round(elapsed)} ms: the blocked thread was not cancelled`)
  assert.equal(flow.poolStats().threads, 1)
}

test('a sync tool blocking past the node timeout is cancelled at once and its thread replaced', async (t) => {
  // A node timeout of 1 s, not less: the follow-up run's node waits for the replacement thread to start.
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': STUCK_FLOW, 'block.ts': BLOCK }), { threads: 1, nodeTimeoutMs: 1000 })
  t.after(() => flow.close())
  const started = performance.now()
  const err = await flow.execute(flow.validateInputs({})).catch((e: unknown) => e)
  assert.ok(err instanceof TimeoutError, String(err))
  assert.equal(err.message, 'node "stuck" timed out after 1000 ms')
  assert.ok(performance.now() - started < 2500, 'the caller did not wait for the tool to finish')
  await assertThreadFreed(flow)
})

test('a run timeout cancels a blocking sync tool too', async (t) => {
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': STUCK_FLOW, 'block.ts': BLOCK }), { threads: 1, runTimeoutMs: 200 })
  t.after(() => flow.close())
  const started = performance.now()
  await assert.rejects(flow.execute(flow.validateInputs({})), (e: unknown) => e instanceof TimeoutError && e.message === 'run timed out after 200 ms (still running: stuck)')
  assert.ok(performance.now() - started < 1500)
  await assertThreadFreed(flow)
})

test('a throwing sync tool fails the run naming the node; pool stats count the work', async (t) => {
  const yaml = dagYaml(`nodes:\n- name: bad\n  type: typescript\n  source:\n    type: code\n    path: bad.ts\n  inputs:\n    q: \${inputs.question}\n`)
  const bad = 'export default function bad({ q }: { q: string }): never { throw new Error(`cannot handle ${q}`) }\n'
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'bad.ts': bad }), { threads: 2 })
  t.after(() => flow.close())
  await assert.rejects(flow.execute(flow.validateInputs({ question: 'this' })), (e: unknown) => e instanceof ToolError && e.message === 'node "bad" failed: cannot handle this')
  const stats = flow.poolStats()
  assert.equal(stats.threads, 2)
  assert.equal(stats.completed, 1)
  assert.equal(stats.running, 0)
  assert.equal(stats.queued, 0)
})

test('more sync tasks than threads queue and all complete', async (t) => {
  const yaml = dagYaml(`nodes:\n${[1, 2, 3].map((i) => blockNode(`n${i}`, 150)).join('')}`)
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'block.ts': BLOCK }), { threads: 1 })
  t.after(() => flow.close())
  const pending = flow.execute(flow.validateInputs({}))
  await new Promise((r) => setTimeout(r, 50))
  const during = flow.poolStats()
  assert.equal(during.running, 1)
  assert.equal(during.queued, 2)
  const { trace } = await pending
  assert.equal(trace.nodes.length, 3)
  assert.ok(trace.durationMs >= 400, `three 150 ms tools on one thread took ${trace.durationMs} ms`)
})
