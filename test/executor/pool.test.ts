import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadFlow } from '../../src/executor/index.js'
import { StartupError, TimeoutError, ToolError } from '../../src/errors.js'
import { dagYaml, flowDir } from '../flow/helpers/fixture.js'
import type { CompiledFlow } from '../../src/executor/types.js'

const BLOCK = "import { sleepSync } from 'floodgate/tools'\nexport default function block({ ms }: { ms: number }): number { sleepSync(ms); return ms }\n"

function blockNode(name: string, ms: number | string, extra = ''): string {
  return `- name: ${name}\n  type: typescript\n  source:\n    type: code\n    path: block.ts\n  inputs:\n    ms: ${ms}\n${extra}`
}

test('four blocking sync tools sleep in the pool while the event loop keeps its timers on time', async (t) => {
  const yaml = dagYaml(`nodes:\n${[1, 2, 3, 4].map((i) => blockNode(`n${i}`, 500)).join('')}`)
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'block.ts': BLOCK }), { threads: 1 })
  t.after(() => flow.close())
  // The first run starts the pool's threads (on demand); the second finds them running.
  await flow.execute(flow.validateInputs({}))
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
  assert.equal(stats.threads, 2, 'a thread per run slot, started up front')
  assert.equal(stats.maxThreads, 2, 'one sync node per run x 2 runs at once')
  assert.equal(stats.runSlots, 2)
  assert.equal(stats.completed, 1)
  assert.equal(stats.running, 0)
  assert.equal(stats.queued, 0)
  assert.equal(stats.runs, 0)
})

test('--threads 2 with three parallel sync nodes: two runs at once, all six nodes in parallel; the third run waits for a slot', async (t) => {
  const yaml = dagYaml(`nodes:\n${[1, 2, 3].map((i) => blockNode(`n${i}`, 400)).join('')}`)
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'block.ts': BLOCK }), { threads: 2 })
  t.after(() => flow.close())
  assert.equal(flow.poolStats().maxThreads, 6, 'three parallel sync nodes x 2 runs')
  // Warm-up: the pool starts the threads the two runs need (on demand, from source: slow to start).
  await Promise.all([flow.execute(flow.validateInputs({})), flow.execute(flow.validateInputs({}))])
  assert.equal(flow.poolStats().threads, 6)
  while (flow.poolStats().starting > 0) await new Promise((r) => setTimeout(r, 50))

  const started = performance.now()
  const runs = [1, 2, 3].map(() => flow.execute(flow.validateInputs({})))
  await new Promise((r) => setTimeout(r, 150))
  const during = flow.poolStats()
  assert.equal(during.runs, 2, 'two runs execute')
  assert.equal(during.runsWaiting, 1, 'the third waits for a slot')
  assert.equal(during.running, 6, 'all six nodes of the two runs are on pool threads')
  assert.equal(during.queued, 0, 'no node waits for a thread')
  const [a, b, c] = await Promise.all(runs)
  const elapsed = performance.now() - started
  // Each node's thread says when it ran the tool, on its own clock: within the node's span, 400 ms long.
  for (const n of a!.trace.nodes) {
    const from = a!.trace.startedAt + n.startMs
    assert.ok(n.threadStartedAt !== undefined && Math.abs(n.threadStartedAt - from) < 100, `thread started ${n.threadStartedAt! - from} ms from the node`)
    assert.ok(n.threadEndedAt! - n.threadStartedAt! >= 390 && n.threadEndedAt! - n.threadStartedAt! <= n.durationMs + 50, JSON.stringify(n))
  }
  // Every node of the first two runs ran at the same time as every other: six 400 ms sleeps in one 400 ms span.
  const nodes = [...a!.trace.nodes, ...b!.trace.nodes].map((n) => ({ start: a!.trace.startedAt + n.startMs, end: a!.trace.startedAt + n.startMs + n.durationMs }))
  const lastStart = Math.max(...nodes.map((n) => n.start))
  const firstEnd = Math.min(...nodes.map((n) => n.end))
  assert.ok(lastStart < firstEnd, `the six nodes did not all overlap: last start ${lastStart}, first end ${firstEnd}`)
  assert.ok(a!.trace.durationMs < 1150 && b!.trace.durationMs < 1150, `runs took ${a!.trace.durationMs} and ${b!.trace.durationMs} ms`)
  // The third run started when a slot was free, after one of the first two ended.
  assert.ok((c!.trace.slotWaitMs ?? 0) >= 300 && c!.trace.slotWaitMs! < elapsed, `the third run waited ${c!.trace.slotWaitMs} ms for a slot, of ${elapsed} ms in all`)
  assert.equal(a!.trace.slotWaitMs, undefined)
  assert.ok(elapsed >= 750, `three runs of 400 ms with two slots took ${elapsed} ms`)
})

// A tool module that takes 600 ms to load (a model read at import, say): a thread started on demand is
// not ready before the running one is free again.
const SLOW_START = "import { sleepSync } from 'floodgate/tools'\nimport { isMainThread } from 'node:worker_threads'\n" +
  "if (!isMainThread) await new Promise((r) => setTimeout(r, 600))\n" +
  "export default function step({ ms }: { ms: number }): number { sleepSync(ms); return ms }\n"

test("run order under contention: an earlier run's later node takes a freed thread before a later run's first nodes", async (t) => {
  // a1 and a2 in parallel, then b: two threads per run, 2 runs: 4 at most, 2 (one per slot) up front.
  const step = (name: string, ms: string) => `- name: ${name}\n  type: typescript\n  source:\n    type: code\n    path: step.ts\n  inputs:\n    ms: ${ms}\n`
  const yaml = dagYaml(`nodes:\n${step('a1', '200')}${step('a2', '200')}${step('b', '${a1.output}')}` + '    after: ${a2.output}\n')
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'step.ts': SLOW_START }), { threads: 2 })
  t.after(() => flow.close())
  assert.equal(flow.poolStats().threads, 2)
  const early = flow.execute(flow.validateInputs({}))
  await new Promise((r) => setTimeout(r, 50))
  // The later run's a1 and a2 find both threads busy and wait while two more threads start (600 ms).
  const late = flow.execute(flow.validateInputs({}))
  const [e, l] = await Promise.all([early, late])
  const at = (trace: typeof e.trace, node: string) => trace.startedAt + trace.nodes.find((n) => n.node === node)!.startMs
  // The early run's a1 and a2 end together: one freed thread goes to a node of the later run (the early
  // run's b is not ready until both are done), the other to the early run's b, not to the later run's
  // second node, which waited behind it although it was queued first.
  const lateSecond = Math.max(at(l.trace, 'a1'), at(l.trace, 'a2'))
  assert.ok(at(e.trace, 'b') + 100 < lateSecond,
    `the early run's b started at ${at(e.trace, 'b') - e.trace.startedAt} ms, the later run's second node at ${lateSecond - e.trace.startedAt} ms`)
  assert.ok(l.trace.nodes.some((n) => (n.queuedMs ?? 0) >= 100), 'a later node waited for a thread, and the trace says how long')
})

test('a run that times out while waiting for a run slot leaves the queue; the next run gets the slot', async (t) => {
  const yaml = dagYaml(`nodes:\n${blockNode('hold', 600)}`)
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'block.ts': BLOCK }), { threads: 1 })
  t.after(() => flow.close())
  const holder = flow.execute(flow.validateInputs({}))
  await new Promise((r) => setTimeout(r, 50))
  const late = flow.execute(flow.validateInputs({}), { timeoutMs: 200 })
  await assert.rejects(late, (e: unknown) => e instanceof TimeoutError && e.message === 'run timed out after 200 ms')
  assert.equal(flow.poolStats().runsWaiting, 0, 'the timed-out run left the queue')
  const next = flow.execute(flow.validateInputs({}))
  assert.equal(flow.poolStats().runsWaiting, 1)
  await holder
  const { trace } = await next
  assert.ok((trace.slotWaitMs ?? 0) >= 300, `the next run waited ${trace.slotWaitMs} ms for the slot`)
  assert.equal(flow.poolStats().completed, 2, 'the timed-out run never reached the pool')
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

test('a pool thread that exits in the middle of a tool fails that run naming the node and the exit; a new thread serves the next', async (t) => {
  const yaml = dagYaml(`nodes:\n- name: quits\n  type: typescript\n  source:\n    type: code\n    path: quits.ts\n  inputs:\n    n: \${inputs.n}\n`)
  // n = 1 ends its pool thread the way a native crash or a stray process.exit() in a library would.
  const quits = 'export default function quits({ n }: { n: number }): number { if (n === 1) process.exit(3); return n * 10 }\n'
  const flow = await loadFlow(await flowDir(t, { 'flow.dag.yaml': yaml, 'quits.ts': quits }), { threads: 1 })
  t.after(() => flow.close())
  await assert.rejects(flow.execute(flow.validateInputs({ n: 1 })), (e: unknown) => {
    assert.ok(e instanceof ToolError, String(e))
    assert.equal(e.message, 'node "quits" failed: pool thread exited with code 3')
    const [node] = (e.details.trace as { nodes: Array<{ status: string; threadStartedAt?: number; threadEndedAt?: number }> }).nodes
    // The thread never reported when it ran the tool: the trace says nothing rather than 0.
    assert.deepEqual([node!.status, node!.threadStartedAt, node!.threadEndedAt], ['failed', undefined, undefined])
    return true
  })
  const { outputs, trace } = await flow.execute(flow.validateInputs({ n: 2 }))
  assert.equal(trace.nodes[0]!.status, 'ok')
  assert.ok(trace.nodes[0]!.threadStartedAt! > 0)
  assert.deepEqual(outputs, {})
})
