// The study's three flows (examples/promptflow-serve) against a loopback mock that waits 1.0 s: each run
// takes about 0.25 s + 1.0 s, with node1-3 overlapping (and on the pool for the sync variant).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadFlow } from '../../src/executor/index.js'
import { mockServer } from '../flow/helpers/fixture.js'
import type { NodeTrace } from '../../src/executor/types.js'

const VARIANTS = [
  ['static_sync', 'pf_dag_sync', 'pool'],
  ['static_async', 'pf_dag_async', 'loop'],
  ['flex_async', 'pf_flex_async', 'loop']
] as const

for (const [variant, type, place] of VARIANTS) {
  test(`examples/promptflow-serve/${variant} runs in about 1.25 s`, async (t) => {
    const url = await mockServer(t, 1000)
    // Set before loading: pool threads copy the environment when they start.
    process.env.MOCK_API_ENDPOINT = url
    t.after(() => delete process.env.MOCK_API_ENDPOINT)
    const flow = await loadFlow(`examples/promptflow-serve/${variant}`)
    t.after(() => flow.close())
    const started = performance.now()
    const { outputs, trace } = await flow.execute(flow.validateInputs({ question: 'Test question', chat_history: [] }))
    const elapsed = performance.now() - started
    assert.ok(elapsed >= 1200 && elapsed <= 1500, `took ${elapsed.toFixed(0)} ms`)
    const answer = (variant === 'flex_async' ? outputs : outputs.answer) as Record<string, unknown>
    assert.equal(answer.type, type)
    assert.equal(answer.total_time_sec, 1)
    assert.ok((answer.pf_node_time_sec as number) >= 0.99 && (answer.pf_node_time_sec as number) < 1.3)
    assert.ok(trace.nodes.every((n) => n.ranOn === place && n.status === 'ok'))
    if (variant !== 'flex_async') {
      const by = Object.fromEntries(trace.nodes.map((n) => [n.node, n])) as Record<string, NodeTrace>
      const parallel = [by.node1!, by.node2!, by.node3!]
      const lastStart = Math.max(...parallel.map((n) => n.startMs))
      const firstEnd = Math.min(...parallel.map((n) => n.startMs + n.durationMs))
      assert.ok(lastStart < firstEnd, 'node1-3 overlap')
      assert.ok(by.chat!.startMs >= Math.max(...parallel.map((n) => n.startMs + n.durationMs)) - 1, 'chat starts after node1-3')
    }
  })
}

test('the examples name MOCK_API_ENDPOINT when it is unset', async (t) => {
  delete process.env.MOCK_API_ENDPOINT
  const flow = await loadFlow('examples/promptflow-serve/static_async')
  t.after(() => flow.close())
  await assert.rejects(flow.execute(flow.validateInputs({})), {
    message: 'node "chat" failed: MOCK_API_ENDPOINT is not set: export the mock API URL, e.g. MOCK_API_ENDPOINT=http://127.0.0.1:50001/'
  })
})
