import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadFlow } from '../../src/flow/index.js'
import { StartupError, TimeoutError, ToolError } from '../../src/errors.js'
import { dagYaml, flowDir } from '../flow/helpers/fixture.js'
import type { CompiledFlow } from '../../src/executor/types.js'

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

/** One sync node blocking its pool thread for input `ms` (default 10 s, unless cancelled). */
const STUCK_FLOW = dagYaml(`  ms:\n    type: int\n    default: 10000\noutputs:\n  answer:\n    reference: \${stuck.output}\nnodes:\n${blockNode('stuck', '${inputs.ms}')}`)

/** Right after a timeout, the blocked task is no longer running on the pool: it was cancelled. */
async function assertCancelled(flow: CompiledFlow): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  const stats = flow.poolStats()
  assert.deepEqual([stats.running, stats.queued, stats.threads], [0, 0, 1], 'the blocked task still holds the pool thread')
}

test('a sync tool blocking past the node timeout is cancelled at once and its thread replaced', async (t) => {
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': STUCK_FLOW, 'block.ts': BLOCK }), { threads: 1, nodeTimeoutMs: 300 })
  t.after(() => flow.close())
  const started = performance.now()
  const err = await flow.execute(flow.validateInputs({})).catch((e: unknown) => e)
  assert.ok(err instanceof TimeoutError, String(err))
  assert.equal(err.message, 'node "stuck" timed out after 300 ms')
  assert.ok(performance.now() - started < 2000, 'the caller did not wait for the tool to finish')
  await assertCancelled(flow)
})

test('a run timeout cancels a blocking sync tool too; the one thread serves the next run', async (t) => {
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': STUCK_FLOW, 'block.ts': BLOCK }), { threads: 1, runTimeoutMs: 200 })
  t.after(() => flow.close())
  const started = performance.now()
  await assert.rejects(flow.execute(flow.validateInputs({})), (e: unknown) => e instanceof TimeoutError && e.message === 'run timed out after 200 ms (still running: stuck)')
  assert.ok(performance.now() - started < 1500)
  await assertCancelled(flow)
  // A 10 ms run on the same single thread: ~0.2 s on an idle machine (a new thread loads the tool), up to
  // ~2 s on a loaded one; behind a blocked thread it would wait out the rest of the 10 s block.
  const followUpAt = performance.now()
  const result = await flow.execute(flow.validateInputs({ ms: 10 }), { timeoutMs: 0 })
  const elapsed = performance.now() - followUpAt
  assert.deepEqual(result.outputs, { answer: 10 })
  assert.ok(elapsed < 5000, `a 10 ms run after the timeout took ${Math.round(elapsed)} ms: the blocked thread was not cancelled`)
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

test('a sync tool whose module fails to load stops the flow from loading, naming the cause', async (t) => {
  // Loads in the main thread (where the loader first looks at it) but not in a pool thread.
  const broken = "import { isMainThread } from 'node:worker_threads'\nif (!isMainThread) throw new Error('this tool cannot load in a thread')\nexport default function never(): number { return 1 }\n"
  const dir = await flowDir(t, { 'flow.dag.yaml': dagYaml(`nodes:\n${blockNode('b', 1)}`), 'block.ts': broken })
  const err = await loadFlow(dir, { threads: 2 }).then((f) => f.close().then(() => null), (e: unknown) => e)
  assert.ok(err instanceof StartupError, String(err))
  assert.match(err.message, /^sync-tool pool failed to start: .*this tool cannot load in a thread/)
  assert.ok(err.cause instanceof Error)
})
