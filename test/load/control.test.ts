// Changing a running load (the web UI's Edit) against real loopback servers: the server sees the new
// users (their connections and their request rate) or the new open-loop rate, and the change is in the result.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { LoadControl, runLoad } from '../../src/load/index.js'
import { startServer } from './helpers/server.js'

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** Requests the server received in the next `ms`. */
async function rateOver(server: { count(): number }, ms: number): Promise<number> {
  const before = server.count()
  await sleep(ms)
  return ((server.count() - before) * 1000) / ms
}

test('closed loop: users raised then lowered mid-run; the server sees both, the result records them', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const control = new LoadControl()
  assert.throws(() => control.change({ users: 3 }), { message: 'no run is in progress: start one first' })
  const run = runLoad({ url: `${server.url}/x`, users: 2, spawnRate: 100, runTime: 4.5, wait: 'constant:0.1' }, { control })
  await sleep(1000)
  assert.equal(server.openConnections(), 2)
  const before = await rateOver(server, 500)
  control.change({ users: 8, spawnRate: 100 })
  await sleep(300)
  assert.equal(server.openConnections(), 8)
  const after = await rateOver(server, 800)
  assert.ok(after > 2.5 * before, `server rate ${before.toFixed(0)}/s with 2 users, ${after.toFixed(0)}/s with 8`)
  control.change({ users: 1, spawnRate: 100 })
  await sleep(400)
  assert.equal(server.openConnections(), 1)
  assert.throws(() => control.change({ rate: 5 }), { message: 'this run is a closed loop: change its users (and spawn rate), not a rate' })
  assert.throws(() => control.change({ users: 'x' }), { message: 'invalid users "x": expected a whole number >= 0' })
  const result = await run
  assert.equal(result.aggregated.requests, server.count())
  assert.deepEqual(result.events?.map((e) => [e.kind, e.users, e.spawnRate, e.by]), [['users', 8, 100, 'ui'], ['users', 1, 100, 'ui']])
  assert.deepEqual(result.history.flatMap((p) => p.events ?? []), ['users set to 8 at 100/s by ui', 'users set to 1 at 100/s by ui'])
  const users = result.history.map((p) => p.users)
  assert.ok(users.includes(8) && users.at(-1) === 1, `users per second ${users.join(',')}`)
  assert.throws(() => control.change({ users: 3 }), { message: 'no run is in progress: start one first' })
})

test('open loop: the rate changed mid-run is the rate the server receives', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const control = new LoadControl()
  const run = runLoad({ url: `${server.url}/x`, rate: 40, runTime: 3.5 }, { control })
  await sleep(700)
  const before = await rateOver(server, 1000)
  assert.throws(() => control.change({ users: 5 }), { message: 'this run is an open loop (--rate): change its rate, not its users' })
  control.change({ rate: 160 })
  await sleep(100)
  const after = await rateOver(server, 1000)
  assert.ok(Math.abs(before - 40) <= 8, `before ${before}`)
  assert.ok(Math.abs(after - 160) <= 24, `after ${after}`)
  const result = await run
  assert.deepEqual(result.events?.map((e) => [e.kind, e.rate]), [['rate', 160]])
  assert.equal(result.aggregated.requests, server.count())
})

test('--processes 2: a change is split between the generator processes and recorded once', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const control = new LoadControl()
  let lives = 0
  const run = runLoad({ url: `${server.url}/x`, users: 2, spawnRate: 100, runTime: 3, wait: 'constant:0.1', processes: 2 },
    { control, live: true, onTick: (tick) => (lives += tick.live ? 1 : 0) })
  await until(() => server.openConnections() === 2, 'the first 2 users')
  control.change({ users: 6, spawnRate: 100 })
  await until(() => server.openConnections() === 6, '6 users')
  const result = await run
  assert.equal(result.events?.length, 1)
  assert.equal(result.aggregated.requests, server.count())
  assert.ok(lives >= 2, `merged live snapshots: ${lives}`)
  assert.ok(result.history.some((p) => p.users === 6), `users ${result.history.map((p) => p.users).join(',')}`)
})
