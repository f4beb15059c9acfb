import { test } from 'node:test'
import assert from 'node:assert/strict'
import { delaySampler, mulberry32, startMock } from '../../src/mock/index.js'
import cluster from 'node:cluster'
import { request } from 'undici'

test('startMock({workers: 2}) runs a cluster: worker i draws from seed + i, stats are summed', async (t) => {
  const mock = await startMock({ port: 0, workers: 2, seed: 5, minWait: 0.001, maxWait: 0.005, rateLimit: 0 }, {})
  t.after(() => mock.close())
  const seen: number[] = []
  for (let i = 0; i < 12; i++) {
    const r = await request(`${mock.url}/`, { reset: true })
    await r.body.text()
    seen.push(Number(r.headers['x-floodgate-delay-sec']))
  }
  const first = Array.from({ length: 12 }, delaySampler('uniform', 0.001, 0.005, mulberry32(5)))
  const second = Array.from({ length: 12 }, delaySampler('uniform', 0.001, 0.005, mulberry32(6)))
  // Which worker gets a request is the kernel's and the primary's choice; each delay must be the next of
  // one of the two sequences.
  let a = 0
  let b = 0
  for (const d of seen) {
    if (d === first[a]) a++
    else if (d === second[b]) b++
    else assert.fail(`delay ${d} is not next in either worker's sequence`)
  }
  assert.ok(a > 0 && b > 0, `both workers should have served (${a} and ${b})`)
  const s = await mock.stats()
  assert.equal(s.workers, 2)
  assert.equal(s.received, 12)
  assert.deepEqual(s.byStatus, { '200': 12 })
  await mock.resetStats()
  assert.equal((await mock.stats()).received, 0)
})

test('with --workers N each worker enforces its share of --rate-limit (ceil(RPM / N))', async (t) => {
  const mock = await startMock({ port: 0, workers: 2, rateLimit: 3, ttft: 0 }, {})
  t.after(() => mock.close())
  const statuses: number[] = []
  for (let i = 0; i < 8; i++) {
    // A new connection each time, so the primary's round-robin spreads them over both workers.
    const r = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      reset: true,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 })
    })
    await r.body.text()
    statuses.push(r.statusCode)
  }
  // Two workers with a share of 2 each admit 4 requests in all, whatever the split.
  assert.equal(statuses.filter((s) => s === 200).length, 4, statuses.join(','))
})

test('a mock worker that dies is started again by the primary, and /stats counts both workers again', async (t) => {
  const mock = await startMock({ port: 0, workers: 2, minWait: 0, maxWait: 0, rateLimit: 0 }, {})
  t.after(() => mock.close())
  const before = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead())
  assert.equal(before.length, 2)
  const victim = before[0]!
  victim.process.kill('SIGKILL')
  // A worker that lived less than 10 s is started again after a backoff (250 ms the first time).
  let after: number[] = []
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100))
    after = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead()).map((w) => w!.process.pid!)
    if (after.length === 2 && !after.includes(victim.process.pid!) && (await mock.stats()).workers === 2) break
  }
  assert.equal(after.length, 2, 'two workers again')
  assert.ok(!after.includes(victim.process.pid!), 'the dead worker was replaced')
  assert.equal((await mock.stats()).workers, 2)
  const r = await request(`${mock.url}/`, { reset: true })
  assert.equal(r.statusCode, 200)
  await r.body.text()
})
