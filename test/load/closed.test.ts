// Closed loop against real loopback servers: bounded counts, spawn ramp, exact accounting.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { LoadControl, runLoad } from '../../src/load/index.js'
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

test('--wait pacing:S: a user starts a request every S seconds, counted from the end of its last wait, not of its request', async (t) => {
  const server = await startServer((_req, res) => setTimeout(() => res.end('ok'), 200))
  t.after(() => server.close())
  // Each request takes 0.2 s and pacing leaves 0.3 s after it: starts at 0, 0.5, 1.0, 1.5 and 2.0 s, so 5
  // a user in 2.25 s (the stop falls between two starts). Pacing counted from the request's end (a 0.5 s
  // wait) would give 4; a wait shortened by the previous one's (from a wrong origin) gives 7.
  const result = await runLoad({ url: server.url, users: 3, spawnRate: 1000, runTime: 2.25, wait: 'pacing:0.5' })
  assert.equal(result.aggregated.requests, 15, `requests ${result.aggregated.requests}`)
  assert.equal(result.aggregated.requests, server.count())
})

test('a request the fast path does not build (HEAD) goes through undici, counted the same', async (t) => {
  const methods = new Set<string>()
  const server = await startServer((req, res) => {
    methods.add(req.method ?? '')
    res.end()
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, method: 'HEAD', users: 2, spawnRate: 1000, runTime: 1, wait: 'constant:0.1' })
  assert.deepEqual([...methods], ['HEAD'])
  assert.ok(result.aggregated.requests >= 2 * 8, `requests ${result.aggregated.requests}`)
  assert.equal(result.aggregated.requests, server.count())
  assert.equal(result.aggregated.failures, 0)
})

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

async function closedAll(server: { openConnections(): number }): Promise<number> {
  for (let i = 0; i < 50 && server.openConnections() > 0; i++) await sleep(10)
  return server.openConnections()
}

// A Host header of its own is sent through undici (the fast path writes the URL's); undici closes the
// connection after a HEAD, so that is not the request to watch connections with.
const CLIENTS: Array<[string, Record<string, string>]> = [['the fast path', {}], ['undici', { host: 'floodgate.test' }]]

for (const [client, headers] of CLIENTS) {
  test(`after the run no user is left waiting: no timer, no connection (${client})`, async (t) => {
    const server = await startServer()
    t.after(() => server.close())
    const before = timers()
    // Every user is in its 5 s wait when the run stops at 1 s.
    const result = await runLoad({ url: server.url, headers, users: 4, spawnRate: 1000, runTime: 1, wait: 'constant:5' })
    assert.equal(result.aggregated.requests, 4)
    assert.equal(timers(), before, 'a user wait timer outlived the run')
    assert.equal(await closedAll(server), 0, 'a user connection outlived the run')
  })
}

test('a request answered during the drain, and one cut at its end, start no wait after the run', async (t) => {
  // One user's request is answered at 0.6 s, the other's never: both are in flight when the run stops at
  // 0.5 s; the first is answered in the 0.4 s drain, the second is cut at its end.
  let n = 0
  const server = await startServer((_req, res) => {
    if (n++ % 2 === 0) setTimeout(() => res.end('ok'), 600)
  })
  t.after(() => server.close())
  const before = timers()
  const result = await runLoad({ url: server.url, users: 2, spawnRate: 1000, runTime: 0.5, wait: 'constant:5', drainSec: 0.4 })
  assert.equal(result.aggregated.requests, 1)
  assert.equal(result.abandoned, 1)
  assert.equal(timers(), before, 'a user wait timer started after the run')
})

for (const [client, headers] of CLIENTS) {
  test(`users lowered mid-run: a user retired mid-request finishes it, then leaves (${client})`, async (t) => {
    // Every user is always mid-request (0.2 s answers, no wait), so every retiree is caught in one.
    const hosts = new Set<string>()
    const server = await startServer((req, res) => {
      hosts.add(req.headers.host ?? '')
      setTimeout(() => res.end(), 200)
    })
    t.after(() => server.close())
    const control = new LoadControl()
    const run = runLoad({ url: server.url, headers, users: 4, spawnRate: 1000, runTime: 2 }, { control })
    await sleep(500)
    assert.equal(server.openConnections(), 4)
    control.change({ users: 1, spawnRate: 1000 })
    await sleep(600)
    assert.equal(server.openConnections(), 1)
    const from = server.count()
    await sleep(600)
    // One user left: about 3 requests in 0.6 s, not 12.
    assert.ok(server.count() - from <= 4, `${server.count() - from} requests in 0.6 s`)
    const result = await run
    assert.equal(result.aggregated.requests, server.count())
    assert.equal(result.aggregated.failures, 0)
    assert.deepEqual([...hosts], [headers.host ?? `127.0.0.1:${server.port}`])
  })
}

for (const [client, headers] of CLIENTS) {
  test(`users lowered mid-run: a user retired in its wait leaves at once, not after the wait (${client})`, async (t) => {
    const server = await startServer()
    t.after(() => server.close())
    const control = new LoadControl()
    const run = runLoad({ url: server.url, headers, users: 4, spawnRate: 1000, runTime: 1.5, wait: 'constant:5' }, { control })
    await sleep(300)
    assert.equal(server.openConnections(), 4)
    control.change({ users: 1, spawnRate: 1000 })
    await sleep(300)
    assert.equal(server.openConnections(), 1)
    const result = await run
    assert.equal(result.aggregated.requests, 4)
  })
}
