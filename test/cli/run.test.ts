import { test } from 'node:test'
import assert from 'node:assert/strict'
import { eachCase, runCli } from '../helpers/cli.js'
import { dagYaml, flowDir, mockServer } from '../flow/helpers/fixture.js'

const ECHO_FLOW = dagYaml(`outputs:
  echo:
    reference: \${a.output}
nodes:
- name: a
  type: typescript
  source:
    type: code
    path: echo.mjs
  inputs:
    q: \${inputs.question}
    n: \${inputs.n}
`)
// Takes 200 ms, so the trace's timings can be checked against a duration the test controls.
const ECHO = 'export default async function echo(inputs) { await new Promise((r) => setTimeout(r, 200)); return inputs }\n'

test('floodgate run prints outputs and the per-node timing table', async (t) => {
  const url = await mockServer(t, 1000)
  const started = performance.now()
  const r = await runCli(['run', 'examples/promptflow-serve/static_sync', '--input', 'question=hi', '--threads', '3'], { env: { MOCK_API_ENDPOINT: url } })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^outputs:\n\{\n {2}"answer": \{/)
  assert.match(r.stdout, /"type": "pf_dag_sync"/)
  assert.match(r.stdout, /node +place +start ms +duration ms +status/)
  for (const n of ['node1', 'node2', 'node3', 'chat']) assert.match(r.stdout, new RegExp(`\\n${n} +pool +[\\d.]+ +[\\d.]+ +ok`))
  assert.match(r.stdout, /\ntotal \d+\.\d ms\n$/)
  // Loading starts pool threads; the process must still exit promptly once the run is done.
  assert.ok(performance.now() - started < 20_000)
})

test('floodgate run --json prints {outputs, trace}', async (t) => {
  const dir = await flowDir(t, { 'flow.dag.yaml': ECHO_FLOW, 'echo.mjs': ECHO })
  const before = Date.now()
  const r = await runCli(['run', dir, '--json', '--inputs', '{"question": "a", "n": 2}', '--input', 'n=5'])
  const after = Date.now()
  assert.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout) as { outputs: Record<string, unknown>; trace: { nodes: Array<Record<string, unknown>>; durationMs: number; startedAt: number } }
  assert.deepEqual(out.outputs, { echo: { q: 'a', n: 5 } })
  assert.equal(out.trace.nodes.length, 1)
  const node = out.trace.nodes[0] as { node: string; ranOn: string; status: string; startMs: number; durationMs: number }
  assert.deepEqual(Object.keys(node).sort(), ['durationMs', 'node', 'ranOn', 'startMs', 'status'])
  assert.deepEqual([node.node, node.ranOn, node.status], ['a', 'loop', 'ok'])
  // The tool waits 200 ms: the node and the run took at least that, the node inside the run.
  assert.ok(node.durationMs >= 195 && node.durationMs < 2000, `node took ${node.durationMs} ms`)
  assert.ok(node.startMs >= 0 && node.startMs + node.durationMs <= out.trace.durationMs, JSON.stringify(out.trace))
  assert.ok(out.trace.durationMs >= 195 && out.trace.durationMs < 2000, `run took ${out.trace.durationMs} ms`)
  assert.ok(out.trace.startedAt >= before && out.trace.startedAt + out.trace.durationMs <= after, `startedAt ${out.trace.startedAt}`)
})

test('usage errors exit 2 with the message on stderr', async (t) => {
  const dir = await flowDir(t, { 'flow.dag.yaml': ECHO_FLOW, 'echo.mjs': ECHO })
  const cases: Array<[string[], string]> = [
    [['--input', 'nope=1'], 'floodgate: --input nope=1: the flow has no input "nope" (inputs: question, n)\n'],
    [['--input', 'n=x'], 'floodgate: --input n=x: input "n" is int, expected an integer\n'],
    [['--inputs', '{bad'], `floodgate: --inputs: invalid JSON (Expected property name or '}' in JSON at position 1)\n`],
    [['--inputs', '[1]'], 'floodgate: --inputs: expected a JSON object of input name to value\n'],
    [['--inputs', '{"n": "x"}'], `floodgate: input "n": expected int, got a string that is not an integer (pass it with --input name=value or --inputs '<json>')\n`],
    [['--threads', '0'], 'floodgate: --threads 0: expected a positive integer\n'],
    [['--timeout', 'soon'], 'floodgate: --timeout soon: expected a number of seconds > 0\n'],
    [['--timeout', '2147484'], 'floodgate: --timeout 2147484: longer than 2147483 s (24.8 days), the longest delay a Node.js timer holds\n']
  ]
  await eachCase(cases, async ([args, stderr]) => {
    const r = await runCli(['run', dir, ...args])
    assert.equal(r.code, 2, args.join(' '))
    assert.equal(r.stderr, stderr)
    assert.equal(r.stdout, '')
  })
  const missing = await runCli(['run'])
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /missing required argument 'flow-dir'/)
})

test('flow errors exit 1: a bad flow folder, a failing tool, a timeout', async (t) => {
  const bad = await runCli(['run', 'examples/nope'])
  assert.equal(bad.code, 1)
  assert.equal(bad.stderr, 'floodgate: examples/nope: flow folder not found\n')

  const noEnv = await runCli(['run', 'examples/promptflow-serve/static_async'], { env: { MOCK_API_ENDPOINT: '' } })
  assert.equal(noEnv.code, 1)
  assert.equal(noEnv.stderr, 'floodgate: node "chat" failed: MOCK_API_ENDPOINT is not set: export the mock API URL, e.g. MOCK_API_ENDPOINT=http://127.0.0.1:50001/\n')

  const url = await mockServer(t, 3000)
  const slow = await runCli(['run', 'examples/promptflow-serve/static_async', '--timeout', '0.5'], { env: { MOCK_API_ENDPOINT: url } })
  assert.equal(slow.code, 1)
  assert.equal(slow.stderr, 'floodgate: run timed out after 500 ms (still running: chat)\n')
})
