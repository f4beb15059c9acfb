// Open loop: rate, dropped requests at --max-in-flight, and a stall that shows in the p99.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runLoad } from '../../src/load/index.js'
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
  const server = await startServer((_req, res) => setTimeout(() => res.end('slow'), 1000))
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, rate: 50, runTime: 1.5, maxInFlight: 5 })
  // 5 in flight for 1 s each: about 5-10 sent, the other ~65 of 75 scheduled dropped.
  assert.ok(result.dropped > 50, `dropped ${result.dropped}`)
  // Every scheduled request (75 at 50/s over 1.5 s, one less if the stop wins the race) is sent or dropped.
  const scheduled = result.dropped + server.count()
  assert.ok(scheduled >= 74 && scheduled <= 75, `scheduled ${scheduled}`)
  assert.equal(result.aggregated.requests + (result.abandoned ?? 0), server.count())
})

test('open loop: a 2 s stall shows in the p99 (latency from intended send time)', async (t) => {
  const stallFrom = Date.now() + 700
  let stalled = false
  let stallDone = false
  const pending: (() => void)[] = []
  const server = await startServer((_req, res) => {
    if (!stallDone && Date.now() >= stallFrom) {
      stalled = true
      stallDone = true
      // The server freezes for 2 s: everything that arrives meanwhile waits, then all answer.
      setTimeout(() => { stalled = false; pending.splice(0).forEach((f) => f()) }, 2000)
    }
    if (stalled) pending.push(() => res.end('late'))
    else res.end('ok')
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, rate: 100, runTime: 6 })
  // A closed-loop client would record one slow request per connection; here every request scheduled
  // during the stall counts its wait, so about a third of 600 requests are slow and p99 is near 2 s.
  assert.ok(result.aggregated.percentiles['99'] > 1500, `p99 ${result.aggregated.percentiles['99']}`)
  assert.ok(result.aggregated.percentiles['50'] < 100, `p50 ${result.aggregated.percentiles['50']}`)
  assert.ok(result.aggregated.percentiles['80'] > 200, `p80 ${result.aggregated.percentiles['80']}`)
})
