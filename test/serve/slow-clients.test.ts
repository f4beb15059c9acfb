// Slow and idle clients cannot exhaust the server: headers must arrive within --header-timeout, idle
// keep-alive connections close after --idle-timeout, and beyond --max-connections a connection waiting
// for a request makes room or the newcomer is refused with 503, while runs in progress are never cut.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client } from 'undici'
import { cliCommand, repoRoot, waitForLine } from '../helpers/cli.js'
import { READY, stop } from './cli-helpers.js'
import { call, fixture, score, serveFixture } from './helpers.js'

interface RawAnswer {
  text: string
  closedAfterMs: number
}

/**
 * Opens a raw connection, sends `first`, then one more header byte every `everyMs` until the server
 * closes it; gives up (closedAfterMs Infinity) after `limitMs`.
 */
function trickle(url: string, first: string, everyMs: number, limitMs = 20_000): { socket: Socket; answer: Promise<RawAnswer> } {
  const { hostname, port } = new URL(url)
  const started = performance.now()
  const socket = connect(Number(port), hostname)
  let text = ''
  socket.setEncoding('utf8').on('data', (d: string) => (text += d))
  socket.on('error', () => {})
  socket.write(first)
  const timer = setInterval(() => socket.writable && socket.write('x'), everyMs)
  const answer = new Promise<RawAnswer>((resolve) => {
    const limit = setTimeout(() => {
      clearInterval(timer)
      socket.destroy()
      resolve({ text, closedAfterMs: Infinity })
    }, limitMs)
    socket.once('close', () => {
      clearInterval(timer)
      clearTimeout(limit)
      resolve({ text, closedAfterMs: performance.now() - started })
    })
  })
  return { socket, answer }
}

test('headers must arrive within --header-timeout (408, closed); a run longer than that is not cut; idle keep-alive connections close after --idle-timeout', async (t) => {
  const server = await serveFixture('wait', { headerTimeoutSeconds: 1, idleTimeoutSeconds: 1 })
  t.after(() => server.close())
  const silent = trickle(server.url, '', 60_000, 6000)
  const slow = trickle(server.url, 'POST /score HTTP/1.1\r\nHost: x\r\nX-Slow: ', 200, 6000)
  // A 1.8 s run on a connection whose headers came at once: --header-timeout has no say over it.
  const run = score(server.url, { ms: 1800 })
  for (const { answer } of [silent, slow]) {
    const { text, closedAfterMs } = await answer
    assert.match(text, /^HTTP\/1\.1 408 /)
    assert.ok(closedAfterMs >= 900 && closedAfterMs < 3500, `closed after ${closedAfterMs} ms`)
  }
  const answered = await run
  assert.equal(answered.status, 200, answered.text)
  assert.equal((answered.body as { waited: number }).waited, 1800)

  const { hostname, port } = new URL(server.url)
  const keepAlive = connect(Number(port), hostname)
  let text = ''
  keepAlive.setEncoding('utf8').on('data', (d: string) => (text += d))
  keepAlive.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
  const started = performance.now()
  await Promise.race([new Promise((resolve) => keepAlive.once('close', resolve)), sleep(6000)])
  keepAlive.destroy()
  const idleMs = performance.now() - started
  assert.match(text, /^HTTP\/1\.1 200 /)
  assert.ok(idleMs >= 900 && idleMs < 4000, `idle connection closed after ${idleMs} ms`)
})

const FLOOD = 1100
const OPEN_FILES = 256

test(`a slow-header flood of ${FLOOD} connections against a server limited to ${OPEN_FILES} open files: normal requests keep succeeding`, async (t) => {
  const args = [...cliCommand, 'serve', fixture('wait'), '--port', '0', '--workers', '1', '--log-level', 'warn', '--header-timeout', '4']
  const quoted = [process.execPath, ...args].map((a) => `'${a}'`).join(' ')
  const child = spawn('sh', ['-c', `ulimit -n ${OPEN_FILES} && exec ${quoted}`], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => stop(child))
  const url = (await waitForLine(child, READY, 60_000))[1]

  const flood = Array.from({ length: FLOOD }, () => trickle(url, 'POST /score HTTP/1.1\r\nHost: x\r\nX-Slow: ', 300, 12_000))
  t.after(() => flood.forEach(({ socket }) => socket.destroy()))
  await sleep(1200)
  // While the flood still holds every connection it was allowed (--header-timeout is 4 s), requests
  // on new connections and on a keep-alive connection are served.
  const keepAlive = new Client(url)
  t.after(() => keepAlive.close())
  const statuses: string[] = []
  const until = performance.now() + 2000
  while (performance.now() < until) {
    const fresh = new Client(url)
    const onFresh = await fresh.request({ path: '/score', method: 'POST', body: JSON.stringify({ ms: 10 }), headersTimeout: 10_000 }).then(
      async (r) => `${r.statusCode} ${await r.body.text()}`,
      (err: Error) => `error ${err.message}`
    )
    await fresh.close()
    const reused = await keepAlive.request({ path: '/health', method: 'GET', headersTimeout: 10_000 }).then(
      async (r) => `${r.statusCode} ${await r.body.text()}`,
      (err: Error) => `error ${err.message}`
    )
    statuses.push(onFresh.replace(/"pid":\d+/, '"pid":0'), reused)
    await sleep(100)
  }
  const expected = ['200 {"waited":10,"tag":"","pid":0}', '200 {"status":"Healthy","version":"0.1.0"}']
  assert.deepEqual(new Set(statuses), new Set(expected), statuses.filter((s) => !expected.includes(s)).slice(0, 5).join('\n'))
  assert.ok(statuses.length >= 6, `${statuses.length} requests`)

  // The flood was refused or made room, each refusal a clear 503 in the envelope.
  const settled = await Promise.all(flood.map((f) => f.answer))
  assert.deepEqual(settled.filter((a) => a.closedAfterMs === Infinity).length, 0, 'every flood connection was closed by the server within --header-timeout')
  const refused = settled.filter((a) => a.text.startsWith('HTTP/1.1 503 '))
  assert.ok(refused.length > 0, 'some flood connections were refused')
  const [head, body] = refused[0].text.split('\r\n\r\n')
  assert.match(head, /\r\nretry-after: 1\r\n/)
  assert.match(head, /\r\nconnection: close\r\n/)
  assert.deepEqual(JSON.parse(body), {
    error: { code: 'SystemError', message: `the server holds its limit of ${OPEN_FILES - 64} connections (--max-connections ${OPEN_FILES - 64}); retry later`, inner_error: { code: 'TOO_MANY_CONNECTIONS' } }
  })
  const metrics = (await call(`${url}/metrics`)).text
  const refusedCount = Number(/\nfloodgate_connections_refused_total (\d+)/.exec(metrics)?.[1])
  const evictedCount = Number(/\nfloodgate_connections_evicted_total (\d+)/.exec(metrics)?.[1])
  assert.equal(refusedCount, refused.length, 'refusals counted in /metrics')
  assert.ok(evictedCount > 0, 'flood connections were closed to admit normal requests')
  assert.equal(child.exitCode, null)
})

test('--max-connections: when every connection has a run in progress, a new one is refused with 503 at once and no run is cut', async (t) => {
  const server = await serveFixture('wait', { maxConnections: 2 })
  t.after(() => server.close())
  const runs = [score(server.url, { ms: 1500, tag: 'a' }), score(server.url, { ms: 1500, tag: 'b' })]
  await sleep(300)
  const started = performance.now()
  const refused = trickle(server.url, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 60_000, 5000)
  const { text, closedAfterMs } = await refused.answer
  assert.match(text, /^HTTP\/1\.1 503 Service Unavailable\r\n/)
  assert.ok(performance.now() - started < 1000 && closedAfterMs < 1000, `refused after ${closedAfterMs} ms`)
  const answers = await Promise.all(runs)
  assert.deepEqual(answers.map((a) => [a.status, (a.body as { tag: string }).tag]), [[200, 'a'], [200, 'b']])
})
