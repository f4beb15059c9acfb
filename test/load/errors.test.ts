// Every error kind, each against a real loopback server (or a port nobody listens on).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runLoad } from '../../src/load/index.js'
import { startServer, unusedPort, type TestServer } from './helpers/server.js'

test('refused: an unreachable port records every request as a failure and the run completes', async () => {
  const port = await unusedPort()
  const result = await runLoad({ url: `http://127.0.0.1:${port}/`, users: 3, spawnRate: 100, runTime: 1.5 })
  assert.ok(result.aggregated.requests >= 3)
  assert.equal(result.aggregated.failures, result.aggregated.requests)
  assert.equal(result.errors.length, 1)
  assert.equal(result.errors[0].kind, 'refused')
  assert.equal(result.errors[0].error, "ConnectionRefusedError(111, 'Connection refused')")
  assert.equal(result.errors[0].occurrences, result.aggregated.requests)
  assert.deepEqual(result.statusCounts, { 0: result.aggregated.requests })
  // Backoff, doubling from 0.05 s: each user tries at 0, 0.05, 0.15, 0.35 and 0.75 s, then waits until
  // 1.55 s, after the run (without it, thousands; a backoff that jumps to its 1 s cap, 3 a user).
  assert.ok(result.aggregated.requests >= 3 * 4 && result.aggregated.requests <= 3 * 6, `requests ${result.aggregated.requests}`)
})

test('refused, then served, then refused again: the backoff starts over after a success', async () => {
  const port = await unusedPort()
  let server: TestServer | undefined
  // Refused for the first 0.9 s (the backoff grows to 0.8 s), served until 1.9 s, then refused again.
  const opened = setTimeout(async () => { server = await startServer(undefined, port) }, 900)
  const closed = setTimeout(() => void server?.close(), 1900)
  const result = await runLoad({ url: `http://127.0.0.1:${port}/`, users: 1, runTime: 2.5, wait: 'constant:0.1' })
  clearTimeout(opened)
  clearTimeout(closed)
  await server?.close()
  // Refused at 0, 0.05, 0.15, 0.35 and 0.75 s; served from 1.55 s every 0.1 s; refused at 1.95 s, then,
  // the backoff started over, at 2.0, 2.1 and 2.3 s. Had it kept its 1 s, the second outage would get one.
  // (A request in flight as the server closes, should one be, fails as closed, not refused.)
  assert.ok((result.statusCounts['200'] ?? 0) >= 3, JSON.stringify(result.statusCounts))
  const refused = result.errors.find((e) => e.kind === 'refused')?.occurrences ?? 0
  assert.ok(refused >= 5 + 4, `refused ${refused} times: ${JSON.stringify(result.errors)}`)
})

test('reset: a server that resets the socket is recorded as ConnectionResetError, users reconnect', async (t) => {
  let n = 0
  const server = await startServer((req, res) => {
    if (++n % 2 === 0) req.socket.resetAndDestroy()
    else res.end('ok')
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 2, spawnRate: 100, runTime: 1, wait: 'constant:0.05' })
  const reset = result.errors.find((e) => e.kind === 'reset')
  assert.ok(reset, JSON.stringify(result.errors))
  assert.equal(reset.error, "ConnectionResetError(104, 'Connection reset by peer')")
  assert.ok(result.statusCounts['200'] > 0, 'users reconnect after a reset')
  assert.equal(result.aggregated.requests, server.count())
})

test('closed: a server that closes without answering is RemoteDisconnected', async (t) => {
  const server = await startServer((req) => req.socket.destroy())
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 1, runTime: 0.5, wait: 'constant:0.1' })
  assert.equal(result.errors.length, 1)
  assert.equal(result.errors[0].kind, 'closed')
  assert.equal(result.errors[0].error, "RemoteDisconnected('Remote end closed connection without response')")
  assert.equal(result.aggregated.failures, result.aggregated.requests)
})

test('timeout: --timeout bounds the wait for a response', async (t) => {
  const server = await startServer(() => { /* never answers */ })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 2, runTime: 1.2, timeoutSec: 0.3 })
  assert.ok(result.aggregated.requests >= 2)
  assert.equal(result.errors[0].kind, 'timeout')
  assert.equal(result.errors[0].error, "ReadTimeout('Read timed out. (read timeout=0.3)')")
  assert.ok(result.aggregated.minMs >= 290, `min ${result.aggregated.minMs}`)
})

test('http: 503 answers are failures with HTTPError text, with their latency', async (t) => {
  const server = await startServer((_req, res) => {
    res.statusCode = 503
    res.end('busy')
  })
  t.after(() => server.close())
  const result = await runLoad({ url: `${server.url}/score`, users: 2, spawnRate: 100, runTime: 0.5, wait: 'constant:0.05' })
  assert.equal(result.aggregated.failures, result.aggregated.requests)
  // An answer, even a 503, is no reason to back off: each user goes on every 0.05 s (a backoff would
  // space them 0.05, 0.1, 0.2 s apart: 4 a user).
  assert.ok(result.aggregated.requests >= 2 * 6, `requests ${result.aggregated.requests}`)
  assert.equal(result.errors[0].kind, 'http')
  assert.equal(result.errors[0].status, 503)
  assert.equal(result.errors[0].error, `HTTPError('503 Server Error: Service Unavailable for url: ${server.url}/score')`)
  assert.deepEqual(result.statusCounts, { 503: result.aggregated.requests })
})

test('dns: a host that does not resolve is a NameResolutionError, the run completes', async () => {
  const result = await runLoad({ url: 'http://floodgate-test.invalid/', users: 1, runTime: 0.5 })
  // Backing off from 0.05 s: at most 0, 0.05, 0.15 and 0.35 s in 0.5 s (without it, hundreds).
  assert.ok(result.aggregated.requests >= 1 && result.aggregated.requests <= 4, `requests ${result.aggregated.requests}`)
  assert.equal(result.errors[0].kind, 'dns')
  assert.match(result.errors[0].error, /^NameResolutionError\('getaddrinfo (ENOTFOUND|EAI_AGAIN) floodgate-test\.invalid'\)$/)
})
