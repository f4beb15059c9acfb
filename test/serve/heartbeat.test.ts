// An async tool that blocks its event loop: nothing on that thread can preempt it, so the cluster
// primary's heartbeat kills and replaces the worker past --timeout (as gunicorn does), the watchdog
// thread names the node in the log, /metrics counts the kill, and the service continues.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { once } from 'node:events'
import { Client } from 'undici'
import { childrenOf } from '../../src/bench/procfs.js'
import { logLines, serve, stop } from './cli-helpers.js'
import { call, fixture } from './helpers.js'

/** One request on a connection of its own (a keep-alive connection could belong to the blocked worker). */
async function fresh(url: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<string> {
  const client = new Client(url)
  try {
    const res = await client.request({ path, method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body), headers, headersTimeout: 20_000, bodyTimeout: 20_000 })
    return `${res.statusCode} ${await res.body.text()}`
  } catch (err) {
    return `error ${(err as Error).message}`
  } finally {
    await client.destroy()
  }
}

test('--workers 2 --timeout 2: an async tool blocking its event loop for 8 s: the worker is killed and replaced within the timeout, the request closed, the service continues', async (t) => {
  const { child, url, output } = await serve([fixture('busy'), '--port', '0', '--workers', '2', '--timeout', '2', '--log-level', 'debug'])
  t.after(() => stop(child))
  const started = performance.now()
  const blocked = fresh(url, '/score', { ms: 8000 }, { 'x-request-id': 'blocker-1' }).then((outcome) => ({ outcome, ms: performance.now() - started }))
  // The other worker answers meanwhile, /metrics too: within its budget, leaving the blocked worker out.
  await sleep(300)
  const scrapeStarted = performance.now()
  const scrape = await fresh(url, '/metrics')
  const scrapeMs = performance.now() - scrapeStarted
  assert.match(scrape, /^200 # floodgate: worker pid \d+ did not answer within 1000 ms: its gauges are left out of this scrape, its counters are from its last answer\n/)
  assert.match(scrape, /\nfloodgate_scrape_workers_missing 1\n/)
  assert.ok(scrapeMs < 1800, `/metrics answered after ${scrapeMs} ms`)
  const beside: string[] = []
  while (performance.now() - started < 2500) {
    beside.push(await fresh(url, '/health'))
    await sleep(200)
  }
  assert.deepEqual(new Set(beside), new Set(['200 {"status":"Healthy","version":"0.1.0"}']))
  const { outcome, ms } = await blocked
  assert.ok(ms < 5000, `the blocked request settled after ${ms} ms (${outcome}), not at the end of the 8 s block`)
  assert.match(outcome, /^(error|5\d\d )/, outcome)

  for (let i = 0; i < 100 && logLines(output()).filter((l) => l.msg === 'worker ready').length < 3; i++) await sleep(100)
  const lines = logLines(output())
  assert.equal(lines.filter((l) => l.msg === 'worker ready').length, 3, output())
  const named = lines.find((l) => String(l.msg).startsWith('event loop blocked by node "busy"'))
  assert.ok(named, `no watchdog line:\n${output()}`)
  assert.equal(named.flow, 'busy')
  assert.equal(named.reqId, 'blocker-1')
  const killed = lines.find((l) => String(l.msg).startsWith("worker's event loop did not answer within --timeout"))
  assert.ok(killed, output())
  assert.ok(Number(killed.silentMs) >= 2000 && Number(killed.silentMs) < 3500, `killed after ${String(killed.silentMs)} ms of silence`)

  const metrics = (await call(`${url}/metrics`)).text
  assert.match(metrics, /\nfloodgate_workers_killed_total\{reason="heartbeat"\} 1\n/)
  assert.match(metrics, /\nfloodgate_worker_restarts_total 1\n/)
  assert.match(metrics, /\nfloodgate_workers 2\n/)
  const after = await Promise.all(Array.from({ length: 4 }, () => fresh(url, '/score', { ms: 1 })))
  assert.deepEqual(after, Array.from({ length: 4 }, () => '200 {"answer":"busy for 1 ms"}'))
})

test('--workers 1: the watchdog thread names the node that blocks the event loop, each time, and says when it moves again', async (t) => {
  const { child, url, output } = await serve([fixture('busy'), '--port', '0', '--workers', '1'])
  t.after(() => stop(child))
  for (const id of ['blocker-2', 'blocker-3']) {
    const res = await fresh(url, '/score', { ms: 1800 }, { 'x-request-id': id })
    assert.equal(res, '200 {"answer":"busy for 1800 ms"}')
    for (let i = 0; i < 20 && logLines(output()).filter((l) => l.msg === 'event loop moving again').length < (id === 'blocker-2' ? 1 : 2); i++) await sleep(100)
  }
  const lines = logLines(output())
  const named = lines.filter((l) => String(l.msg).startsWith('event loop blocked by node "busy"'))
  assert.deepEqual(named.map((l) => l.reqId), ['blocker-2', 'blocker-3'], output())
  assert.equal(named[0]!.level, 40)
  const moving = lines.filter((l) => l.msg === 'event loop moving again')
  assert.equal(moving.length, 2, output())
  assert.ok(moving.every((l) => Number(l.blockedMs) >= 1700), output())
})

test('--workers 2: once the watchdog has asked, the worker stops without a debugger attached', async (t) => {
  const { child, url, output } = await serve([fixture('busy'), '--port', '0', '--workers', '2', '--timeout', '10'])
  t.after(() => stop(child))
  assert.equal(await fresh(url, '/score', { ms: 1500 }), '200 {"answer":"busy for 1500 ms"}')
  for (let i = 0; i < 20 && !output().includes('event loop moving again'); i++) await sleep(100)
  assert.ok(logLines(output()).some((l) => String(l.msg).startsWith('event loop blocked by node "busy"')), output())
  // Ctrl-C in a terminal signals every process of the group: each worker then ends by emptying its event
  // loop, and Node waits for an inspector session still attached, saying so.
  const exited = once(child, 'close')
  for (const pid of [child.pid!, ...childrenOf(child.pid!)]) process.kill(pid, 'SIGINT')
  await exited
  assert.doesNotMatch(output(), /Waiting for the debugger/)
})

test('--workers 1: a watchdog thread that cannot start costs only the diagnosis: a warning, and the server serves on', async (t) => {
  // A preload that throws in every worker thread (threads inherit --import): the watchdog's fails as it
  // starts. The flow's tools are async: no other thread is started.
  const preload = 'import { isMainThread } from "node:worker_threads"; if (!isMainThread) throw new Error("no threads here")'
  const { child, url, output } = await serve([fixture('busy'), '--port', '0', '--workers', '1'], {}, ['--import', `data:text/javascript,${encodeURIComponent(preload)}`])
  t.after(() => stop(child))
  const failedLine = (): Record<string, unknown> | undefined => logLines(output()).find((l) => String(l.msg).startsWith('the event-loop watchdog thread failed'))
  for (let i = 0; i < 50 && failedLine() === undefined; i++) await sleep(100)
  assert.equal(await fresh(url, '/score', { ms: 10 }), '200 {"answer":"busy for 10 ms"}')
  const warned = failedLine()
  assert.ok(warned && warned.level === 40, output())
  assert.doesNotMatch(output(), /unexpected error/)
})
