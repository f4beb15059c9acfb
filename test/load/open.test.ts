// Open loop: rate, dropped requests at --max-in-flight, and a generator stall that shows in the p99.
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
