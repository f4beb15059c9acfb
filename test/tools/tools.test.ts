import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { createServer } from 'node:http'
import { getEventListeners } from 'node:events'
import type { AddressInfo } from 'node:net'
import { httpGet, sleep, sleepSync } from '../../src/tools/index.js'
import { UpstreamError } from '../../src/errors.js'
import { siblingUrl, threadExecArgv } from '../../src/process/index.js'
import { flowDir, mockServer } from '../flow/helpers/fixture.js'

test('sleepSync blocks the calling thread; bad durations are refused', () => {
  const started = performance.now()
  sleepSync(60)
  assert.ok(performance.now() - started >= 55)
  assert.throws(() => sleepSync(-1), { message: 'sleepSync: ms must be a non-negative number of milliseconds, got -1' })
})

test('sleep rejects when its signal aborts', async () => {
  await assert.rejects(sleep(10_000, AbortSignal.timeout(20)), { name: 'TimeoutError' })
  const reason = new Error('run over')
  await assert.rejects(sleep(10, AbortSignal.abort(reason)), (e: unknown) => e === reason)
  await assert.rejects(sleep(-1), { message: 'sleep: ms must be a non-negative number of milliseconds, got -1' })
  // Sleeps that ran their course leave nothing on the run's signal (a run sleeps many times): one
  // listener per signal, whatever the number of sleeps, and only a sleep still pending hears the abort.
  const controller = new AbortController()
  const started = performance.now()
  await sleep(30, controller.signal)
  assert.ok(performance.now() - started >= 25)
  await Promise.all([sleep(1, controller.signal), sleep(2, controller.signal)])
  const pending = sleep(10_000, controller.signal)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
  controller.abort(reason)
  await assert.rejects(pending, (e: unknown) => e === reason)
})

test('httpGet returns status, headers, body and json(); errors name the URL', async (t) => {
  const url = await mockServer(t, 10)
  const res = await httpGet(url)
  assert.equal(res.status, 200)
  assert.equal(res.headers['content-type'], 'application/json')
  assert.deepEqual(res.json(), { total_time_sec: 0.01, min_wait_time_sec: 1, max_wait_time_sec: 1 })
  await assert.rejects(httpGet('http://127.0.0.1:1/'), (e: unknown) => e instanceof UpstreamError && e.message === 'GET http://127.0.0.1:1/ failed: connect ECONNREFUSED 127.0.0.1:1')
  const slow = await mockServer(t, 2000)
  await assert.rejects(httpGet(slow, { timeoutMs: 100 }), (e: unknown) => e instanceof UpstreamError && e.message === `GET ${slow}: no response within 100 ms`)
  await assert.rejects(httpGet('not a url'), (e: unknown) => e instanceof UpstreamError && e.message === 'GET not a url failed: Invalid URL')
  // A bad timeout is a rejection, as from any async function, not an exception thrown at the call.
  const badTimeout = httpGet(url, { timeoutMs: 0 })
  await assert.rejects(badTimeout, { message: 'httpGet: timeoutMs must be a positive number of milliseconds, got 0' })
  await assert.rejects(httpGet('ftp://127.0.0.1/x'), (e: unknown) => e instanceof UpstreamError && e.message === 'GET ftp://127.0.0.1/x failed: unsupported protocol ftp:')
  const aborted = new AbortController()
  const pending = httpGet(slow, { signal: aborted.signal })
  aborted.abort(new Error('run over'))
  await assert.rejects(pending, { message: 'run over' })
})

test('httpGet reads a large body, an empty one and repeated headers; a signal aborted before the call rejects at once', async (t) => {
  const big = 'x'.repeat(300_000) + 'é'
  const server = createServer((req, res) => {
    if (req.url === '/empty') return res.writeHead(204).end()
    res.setHeader('x-many', ['a', 'b'])
    res.end(big)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const res = await httpGet(`${base}/big`)
  assert.equal(res.body, big, 'a body of many chunks, a multi-byte character at the end')
  assert.equal(res.headers['x-many'], 'a, b')
  const empty = await httpGet(`${base}/empty`)
  assert.equal(empty.status, 204)
  assert.equal(empty.body, '')
  const reason = new Error('already over')
  await assert.rejects(httpGet(`${base}/big`, { signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason)
  server.closeAllConnections()
})

test('httpGet sends the path and query string, over connections it keeps', async (t) => {
  const seen: string[] = []
  const sockets = new Set<unknown>()
  const server = createServer((req, res) => {
    seen.push(req.url ?? '')
    sockets.add(req.socket)
    res.end(req.url)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  for (let i = 0; i < 3; i++) assert.equal((await httpGet(`${base}/a/b?q=${i}&x=y`)).body, `/a/b?q=${i}&x=y`)
  assert.equal((await httpGet(`${base}/a/b?q=0&x=y`)).body, '/a/b?q=0&x=y')
  assert.deepEqual(seen, ['/a/b?q=0&x=y', '/a/b?q=1&x=y', '/a/b?q=2&x=y', '/a/b?q=0&x=y'])
  for (let i = 0; i < 8; i++) await httpGet(`${base}/`)
  // A connection is free again only a tick after its answer is read, so sequential calls use a few.
  assert.ok(sockets.size <= 3, `12 sequential calls opened ${sockets.size} connections: keep-alive is not reusing them`)
  server.closeAllConnections()
})

test('httpGetSync blocks its thread until the answer is in, and reports failures', async (t) => {
  const url = await mockServer(t, 200)
  const slow = await mockServer(t, 2000)
  // Run in a worker thread: blocking this thread would also block the loopback server.
  const dir = await flowDir(t, {
    'probe.ts': `import { workerData, parentPort } from 'node:worker_threads'
import { httpGetSync } from ${JSON.stringify(new URL('../../src/tools/index.ts', import.meta.url).pathname)}
const out: unknown[] = []
const started = performance.now()
const res = httpGetSync(workerData.url)
out.push([res.status, res.json(), performance.now() - started])
for (const [target, timeoutMs] of [['http://127.0.0.1:1/', 1000], [workerData.slow, 100]]) {
  try { httpGetSync(target, { timeoutMs }) } catch (err) { out.push((err as Error).message) }
}
out.push(httpGetSync(workerData.url).status) // a late answer to the abandoned request is skipped
parentPort!.postMessage(out)
`
  })
  const entry = new URL(`file://${dir}/probe.ts`)
  const worker = new Worker(entry, { workerData: { url, slow }, execArgv: threadExecArgv(entry) })
  t.after(() => worker.terminate())
  const out = await new Promise<unknown[]>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  const [first, refused, timedOut, again] = out as [[number, unknown, number], string, string, number]
  assert.equal(first[0], 200)
  assert.deepEqual(first[1], { total_time_sec: 0.2, min_wait_time_sec: 1, max_wait_time_sec: 1 })
  assert.ok(first[2] >= 190, `answered after ${first[2]} ms`)
  assert.equal(refused, 'GET http://127.0.0.1:1/ failed: connect ECONNREFUSED 127.0.0.1:1')
  assert.equal(timedOut, `GET ${slow}: no response within 100 ms`)
  assert.equal(again, 200)
  assert.ok(siblingUrl('http-worker', new URL('../../src/tool-runtime/http-sync.ts', import.meta.url).href).href.endsWith('.ts'))
})
