// A tool's scope (src/executor/tool-scope.ts) must end with its run. A connection inherits the scope of
// the code that opens it, so a keep-alive connection opened by one run's httpGet kept that run, with its
// outputs, alive for as long as the pool kept the connection (src/tool-runtime/detached.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { loadFlow } from '../../src/executor/index.js'
import { flowDir } from '../flow/helpers/fixture.js'
import { collected } from '../helpers/gc.js'

const FLOW = `inputs:
  url:
    type: string
outputs:
  answer:
    reference: \${get.output}
nodes:
- name: get
  type: typescript
  source:
    type: code
    path: get.mjs
  inputs:
    url: \${inputs.url}
`
const GET = `import { httpGet } from 'floodgate/tools'
export default async function get({ url }, { signal }) {
  const response = await httpGet(url, { signal })
  return { status: response.status, marker: {} }
}
`

test('an ended run is not kept alive by the keep-alive connection its tool opened', async (t) => {
  let connections = 0
  const open = new Set<object>()
  const server = createServer((_req, res) => res.end('{}'))
  server.on('connection', (socket) => {
    connections++
    open.add(socket)
    socket.on('close', () => open.delete(socket))
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => server.closeAllConnections())
  t.after(() => server.close())
  const { port } = server.address() as { port: number }
  const dir = await flowDir(t, { 'flow.dag.yaml': FLOW, 'get.mjs': GET })
  const flow = await loadFlow(dir)
  t.after(() => flow.close())

  // In a function of its own: a suspended async function's frame would keep its last run's values.
  const runs = async (): Promise<WeakRef<object>[]> => {
    const refs: WeakRef<object>[] = []
    for (let i = 0; i < 3; i++) {
      const { outputs } = await flow.execute(flow.validateInputs({ url: `http://127.0.0.1:${port}/` }))
      const answer = outputs.answer as { status: number; marker: object }
      assert.equal(answer.status, 200)
      refs.push(new WeakRef(answer.marker))
    }
    return refs
  }
  const refs = await runs()
  // The connections the runs opened are all still open: the case where their scopes would outlive them.
  assert.ok(connections >= 1)
  assert.equal(open.size, connections)
  assert.deepEqual(await collected(refs), [true, true, true], 'every ended run collected')
})
