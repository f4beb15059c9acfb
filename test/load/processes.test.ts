// --processes: child processes whose results merge exactly; mergeResults on its own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeHistogram, mergeResults, runLoad, type LoadTick } from '../../src/load/index.js'
import { startServer } from './helpers/server.js'

test('--processes 2: merged result equals the sum of what the server saw', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const ticks: LoadTick[] = []
  const result = await runLoad({ url: `${server.url}/p`, users: 6, spawnRate: 100, runTime: 2, wait: 'constant:0.05', processes: 2 },
    { onTick: (tick) => ticks.push(tick) })
  assert.equal(result.generator.processes, 2)
  assert.equal(result.config.users, 6)
  assert.equal(result.aggregated.requests, server.count())
  assert.equal(decodeHistogram(result.histograms.Aggregated).totalCount, result.aggregated.requests)
  assert.equal(decodeHistogram(result.histograms['GET /p']).totalCount, result.aggregated.requests)
  assert.equal(result.history.reduce((a, p) => a + p.requests, 0), result.aggregated.requests)
  assert.ok(ticks.length >= 1, 'live ticks from the children')
  assert.equal(Math.max(...ticks.map((x) => x.point.users)), 6)
})

test('mergeResults adds histograms and counts exactly and aligns history by second', async (t) => {
  const server = await startServer((_req, res) => setTimeout(() => res.end('x'), 5))
  t.after(() => server.close())
  const [a, b] = await Promise.all([
    runLoad({ url: `${server.url}/a`, users: 2, runTime: 1.2 }),
    runLoad({ url: `${server.url}/a`, users: 3, runTime: 1.2, wait: 'constant:0.02' })
  ])
  const m = mergeResults([a, b])
  assert.equal(m.aggregated.requests, a.aggregated.requests + b.aggregated.requests)
  assert.equal(m.aggregated.requests, server.count())
  assert.equal(m.endpoints.length, 1)
  assert.equal(m.aggregated.minMs, Math.min(a.aggregated.minMs, b.aggregated.minMs))
  assert.equal(m.aggregated.maxMs, Math.max(a.aggregated.maxMs, b.aggregated.maxMs))
  const mean = (a.aggregated.meanMs * a.aggregated.requests + b.aggregated.meanMs * b.aggregated.requests) / m.aggregated.requests
  assert.ok(Math.abs(m.aggregated.meanMs - mean) < 0.002)
  // The merged p99 is the p99 of all values, from the added histogram.
  const h = decodeHistogram(a.histograms.Aggregated)
  h.add(decodeHistogram(b.histograms.Aggregated))
  assert.equal(m.aggregated.percentiles['99'], Math.min(h.getValueAtPercentile(99), h.maxValue) / 1000)
  for (const p of m.history) {
    const parts = [a, b].map((r) => r.history.find((x) => x.t === p.t)?.requests ?? 0)
    assert.equal(p.requests, parts[0] + parts[1])
  }
  assert.equal(m.config.users, 5)
})
