// Closed loop against real loopback servers: bounded counts, spawn ramp, exact accounting.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runLoad } from '../../src/load/index.js'
import { startServer } from './helpers/server.js'

test('closed loop: users x iterations is bounded by the wait, and every request is counted once', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  // 5 users, constant 0.5 s wait, 2 s: each user makes at most 1 + 2 / 0.5 = 5 requests.
  const result = await runLoad({ url: `${server.url}/score`, users: 5, spawnRate: 100, runTime: 2, wait: 'constant:0.5' })
  assert.equal(result.aggregated.requests, server.count())
  assert.ok(result.aggregated.requests >= 5 * 3 && result.aggregated.requests <= 5 * 5, `requests ${result.aggregated.requests}`)
  assert.equal(result.aggregated.failures, 0)
  assert.equal(result.endpoints.length, 1)
  assert.equal(result.endpoints[0].name, '/score')
  assert.equal(result.endpoints[0].method, 'GET')
  assert.deepEqual(result.statusCounts, { 200: result.aggregated.requests })
  assert.equal(result.aggregated.avgContentBytes, 2)
  assert.equal(result.interrupted, false)
})

test('closed loop with no wait: server count equals result count exactly', async (t) => {
  let bodies = 0
  const server = await startServer((req, res) => {
    let text = ''
    req.on('data', (d: Buffer) => (text += d))
    req.on('end', () => {
      if (JSON.parse(text).question === 'Test question') bodies++
      res.end('{"answer":1}')
    })
  })
  t.after(() => server.close())
  const result = await runLoad({
    url: `${server.url}/score`, users: 20, spawnRate: 1000, runTime: 1.5,
    body: '{"question":"Test question","chat_history":[]}'
  })
  assert.ok(result.aggregated.requests > 100)
  assert.equal(result.aggregated.requests, server.count())
  assert.equal(bodies, server.count())
  assert.equal(result.config.method, 'POST')
  assert.equal(result.abandoned, 0)
  const last = result.history[result.history.length - 1]
  assert.equal(last.totalRequests, result.aggregated.requests)
  assert.equal(result.history.reduce((a, p) => a + p.requests, 0), result.aggregated.requests)
})

test('spawn ramp: users start at the spawn rate, spread over the seconds', async (t) => {
  const firstSeen = new Map<string, number>()
  const t0 = Date.now()
  const server = await startServer((req, res) => {
    const key = `${req.socket.remotePort}`
    if (!firstSeen.has(key)) firstSeen.set(key, Date.now() - t0)
    res.end('ok')
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 8, spawnRate: 4, runTime: 3, wait: 'constant:0.2' })
  const starts = [...firstSeen.values()].sort((a, b) => a - b)
  assert.equal(starts.length, 8, 'one connection per user')
  // 4 users/s: the 8th user starts about 1.75 s after the first, never all at once.
  assert.ok(starts[7] - starts[0] >= 1400, `spread ${starts[7] - starts[0]} ms`)
  assert.ok(starts[3] - starts[0] >= 500, `first second spread ${starts[3] - starts[0]} ms`)
  const users = result.history.map((p) => p.users)
  assert.equal(users[users.length - 1], 8)
  assert.ok(users[0] < 8)
})
