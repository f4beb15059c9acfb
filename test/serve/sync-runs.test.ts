// Flows with sync tools: --threads is how many runs execute at once (pf serve's meaning), admission
// follows it (--max-concurrency = the run slots, a short queue, then an immediate 503), and a flow whose
// every node is a sync tool is served by one process holding every worker's runs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { Agent, request } from 'undici'
import { spawnCli, waitForLine } from '../helpers/cli.js'
import { call, fixture, serveFixture } from './helpers.js'

interface Answer { status: number; retryAfter: unknown; body: Record<string, unknown>; ms: number }

/** Sends `count` requests at once (one connection each); each answer with the ms it took. */
async function burst(url: string, count: number, ms: number): Promise<Answer[]> {
  const agent = new Agent({ connections: count })
  try {
    return await Promise.all(Array.from({ length: count }, async (_, i) => {
      const started = performance.now()
      const res = await request(`${url}/score`, { method: 'POST', body: JSON.stringify({ ms, tag: String(i) }), dispatcher: agent, headersTimeout: 30_000 })
      const body = (await res.body.json()) as Record<string, unknown>
      return { status: res.statusCode, retryAfter: res.headers['retry-after'], body, ms: performance.now() - started }
    }))
  } finally {
    await agent.close()
  }
}

test('--threads 2 on a sync flow: two runs at once, a queue of one, then 503 with Retry-After at once', async (t) => {
  const server = await serveFixture('sync', { threads: 2 })
  t.after(() => server.close())
  assert.equal(server.app.admission.maxConcurrency, 2, 'max-concurrency defaults to the run slots')
  assert.equal(server.app.admission.maxQueue, 1, 'queue defaults to an eighth of them, at least 1')
  const answers = await burst(server.url, 6, 600)
  const ok = answers.filter((a) => a.status === 200).sort((a, b) => a.ms - b.ms)
  const refused = answers.filter((a) => a.status === 503)
  assert.equal(ok.length, 3, `statuses ${answers.map((a) => a.status).join(',')}`)
  assert.equal(refused.length, 3)
  // The two admitted first ran together; the queued one after them.
  assert.ok(ok[1]!.ms < 1100, `the second run waited: ${ok[1]!.ms} ms`)
  assert.ok(ok[2]!.ms >= 1150, `the queued run did not wait for a slot: ${ok[2]!.ms} ms`)
  for (const r of refused) {
    assert.equal(r.retryAfter, '1')
    assert.ok(r.ms < 500, `a refusal took ${r.ms} ms`)
    assert.equal((r.body.error as { message: string }).message,
      'server is at capacity: 2 runs in progress and 1 waiting (--max-concurrency 2, --queue 1); retry later')
  }
  const metrics = (await call(`${server.url}/metrics`)).text
  assert.match(metrics, /\nfloodgate_pool_run_slots 2\n/)
  assert.match(metrics, /\nfloodgate_pool_threads_max 2\n/)
  assert.match(metrics, /\nfloodgate_pool_runs 0\n/)
})

test('--max-concurrency 0 on a sync flow: every request admitted, runs beyond --threads wait for a slot in order', async (t) => {
  const server = await serveFixture('sync', { threads: 2, maxConcurrency: 0 })
  t.after(() => server.close())
  const answers = await burst(server.url, 5, 400)
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200])
  const times = answers.map((a) => a.ms).sort((a, b) => a - b)
  // Two at a time: 400, 400, 800, 800, 1200 ms.
  assert.ok(times[1]! < 750 && times[2]! >= 750 && times[4]! >= 1150, `answer times ${times.map(Math.round).join(', ')}`)
})

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

test('--workers 2 --threads 1, every node a sync tool: one process holds both workers\' runs', async (t) => {
  // At debug the primary logs each worker ready at start-up (at info only those started again).
  const child = spawnCli(['serve', fixture('sync'), '--port', '0', '--workers', '2', '--threads', '1', '--log-level', 'debug'])
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    await exited(child)
  })
  const ready = await waitForLine(child, /listening on (http:\/\/\S+) \(workers 2, threads 1\); one process holds the 2 runs, as every node of this flow is a sync tool/, 60_000)
  const url = ready[1]!
  assert.equal(output.split('\n').filter((l) => l.includes('"worker ready"')).length, 1, output)
  const answers = await burst(url, 4, 700)
  const ok = answers.filter((a) => a.status === 200).sort((a, b) => a.ms - b.ms)
  assert.equal(ok.length, 3, `statuses ${answers.map((a) => a.status).join(',')}: two slots and a queue of one`)
  assert.equal(new Set(ok.map((a) => a.body.pid)).size, 1, 'one process ran them')
  assert.ok(ok[1]!.ms < 1300, `the two runs did not run together: ${ok[1]!.ms} ms`)
  assert.equal(answers.filter((a) => a.status === 503).length, 1)
  child.kill('SIGTERM')
  assert.equal(await exited(child), 0, output)
})
