// Open loop: rate, dropped requests at --max-in-flight, and a generator stall that shows in the p99.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runLoad } from '../../src/load/index.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer } from './helpers/server.js'

test('open loop sends at the rate whatever the server does', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, rate: 200, runTime: 2 })
  assert.equal(result.config.mode, 'open')
  // 200/s for 2 s = 400 scheduled (t = 0 to 1.995 s), never more; generous lower bound for a shared machine.
  assert.ok(result.aggregated.requests >= 380 && result.aggregated.requests <= 400, `requests ${result.aggregated.requests}`)
  assert.equal(result.aggregated.requests, server.count())
  assert.equal(result.dropped, 0)
})

test('open loop drops what exceeds --max-in-flight and counts it', async (t) => {
  let concurrent = 0
  let maxConcurrent = 0
  const server = await startServer((_req, res) => {
    maxConcurrent = Math.max(maxConcurrent, ++concurrent)
    setTimeout(() => {
      concurrent--
      res.end('slow')
    }, 1000)
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, rate: 50, runTime: 1.5, maxInFlight: 5 })
  // 5 in flight for 1 s each: about 5-10 sent, the other ~65 of 75 scheduled dropped.
  assert.ok(result.dropped > 50, `dropped ${result.dropped}`)
  assert.equal(maxConcurrent, 5, 'never more than --max-in-flight at once')
  // Every scheduled request (75 at 50/s over 1.5 s, one less if the stop wins the race) is sent or dropped.
  const scheduled = result.dropped + server.count()
  assert.ok(scheduled >= 74 && scheduled <= 75, `scheduled ${scheduled}`)
  assert.equal(result.aggregated.requests + (result.abandoned ?? 0), server.count())
  // In the open loop the history's "users" are the requests in flight.
  assert.ok(result.history.length >= 2)
  assert.ok(result.history.every((p) => Number.isInteger(p.users) && p.users >= 0 && p.users <= 5), JSON.stringify(result.history.map((p) => p.users)))
  assert.ok(Math.max(...result.history.map((p) => p.users)) > 0)
})

test('open loop keeps the schedule at a low rate and closes its connections at the end', async (t) => {
  const arrivals: number[] = []
  const server = await startServer((_req, res) => {
    arrivals.push(performance.now())
    res.end('ok')
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, rate: 4, runTime: 1 })
  // Four arrivals 250 ms apart: none sent ahead of its time, none bunched.
  assert.equal(arrivals.length, 4)
  for (let i = 1; i < 4; i++) {
    const gap = arrivals[i]! - arrivals[i - 1]!
    assert.ok(gap > 200 && gap < 400, `arrival ${i} came ${Math.round(gap)} ms after the one before`)
  }
  assert.equal(result.aggregated.requests, 4)
  for (let i = 0; i < 50 && server.openConnections() > 0; i++) await sleep(10)
  assert.equal(server.openConnections(), 0, 'the generator closed its connections')
})

test('open loop: --timeout bounds each request', async (t) => {
  const server = await startServer(() => {}) // never answers
  t.after(() => server.close())
  const started = performance.now()
  const result = await runLoad({ url: server.url, rate: 10, runTime: 1, timeoutSec: 0.3 })
  assert.equal(result.aggregated.requests, 10)
  assert.equal(result.aggregated.failures, 10)
  assert.deepEqual(result.errors.map((e) => [e.kind, e.occurrences]), [['timeout', 10]])
  assert.equal(result.abandoned ?? 0, 0)
  assert.ok(performance.now() - started < 2500, 'the run did not wait out its 2 s drain')
})

test('open loop: a stalled generator shows in the percentiles (latency from intended send time)', async (t) => {
  // The handler runs in this process, so a busy wait in it freezes the generator too: for 1 s nothing is
  // sent, then the ~100 overdue requests go out at once. Counted from their intended send times they
  // waited 0 to 1000 ms (p99 ~990 ms); counted from the actual send, as a closed-loop tool would, they
  // look fast (p99 ~30 ms): coordinated omission.
  const stallAt = Date.now() + 1000
  let stalled = false
  const server = await startServer((_req, res) => {
    if (!stalled && Date.now() >= stallAt) {
      stalled = true
      const until = Date.now() + 1000
      while (Date.now() < until) {
        // busy: the event loop, and with it the generator's timers, stop for 1 s
      }
    }
    res.end('ok')
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, rate: 100, runTime: 3 })
  assert.ok(stalled, 'the stall happened during the run')
  const p = result.aggregated.percentiles
  assert.ok(p['99'] > 700, `p99 ${p['99']} ms: the requests the stall held back must count their wait`)
  assert.ok(p['90'] > 300, `p90 ${p['90']} ms: about a third of the requests were due during the stall`)
  assert.ok(p['50'] < 100, `p50 ${p['50']} ms`)
  assert.ok(result.aggregated.requests >= 290 && result.aggregated.requests <= 300, `requests ${result.aggregated.requests}`)
})

test('--max-in-flight N: exactly N arrivals are taken while N are in flight, the rest dropped', async (t) => {
  // A server that never answers: the first 3 arrivals stay in flight to the end and are cut by the drain.
  const server = await startServer(() => { /* never answers */ })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, rate: 100, runTime: 1, maxInFlight: 3, drainSec: 0.2 })
  assert.equal(server.count(), 3)
  assert.equal(result.abandoned, 3, 'a fourth arrival was taken (and queued) with 3 in flight')
  assert.equal(result.aggregated.requests, 0)
})
