import { test } from 'node:test'
import assert from 'node:assert/strict'
import { delaySampler, mulberry32 } from '../../src/mock/index.js'
import { get, withMock } from './helpers/mock.js'

test("GET / answers the study's body: compact JSON, fields in the study's order, measured seconds", async (t) => {
  const mock = await withMock(t, { minWait: 0.05, maxWait: 0.1 })
  const r = await get(`${mock.url}/`)
  assert.equal(r.status, 200)
  assert.match(String(r.headers['content-type']), /^application\/json/)
  assert.match(r.text, /^\{"total_time_sec":\d+(\.\d+)?(e-\d+)?,"min_wait_time_sec":0\.05,"max_wait_time_sec":0\.1\}$/)
  const body = JSON.parse(r.text) as Record<string, number>
  assert.deepEqual(Object.keys(body), ['total_time_sec', 'min_wait_time_sec', 'max_wait_time_sec'])
  const drawn = Number(r.headers['x-floodgate-delay-sec'])
  assert.ok(drawn >= 0.05 && drawn <= 0.1, `drawn delay ${drawn} outside [0.05, 0.1]`)
  // Measured, so at least the drawn delay (timers never fire early by more than a millisecond).
  assert.ok(body.total_time_sec >= drawn - 0.002, `total ${body.total_time_sec} < drawn ${drawn}`)
  assert.ok(body.total_time_sec < drawn + 5, `total ${body.total_time_sec} far above drawn ${drawn}`)
})

test('whole-second bounds print as integers, as the study (Python ints) did', async (t) => {
  const mock = await withMock(t, { minWait: 0, maxWait: 0 })
  const r = await get(`${mock.url}/`)
  assert.match(r.text, /,"min_wait_time_sec":0,"max_wait_time_sec":0\}$/)
})

async function delays(url: string, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push(Number((await get(`${url}/`)).headers['x-floodgate-delay-sec']))
  return out
}

test('the same seed gives the same delay sequence; another seed another one', async (t) => {
  const opts = { minWait: 0.001, maxWait: 0.02 }
  const a = await withMock(t, { ...opts, seed: 7 })
  const b = await withMock(t, { ...opts, seed: 7 })
  const c = await withMock(t, { ...opts, seed: 8 })
  const [da, db, dc] = [await delays(a.url, 8), await delays(b.url, 8), await delays(c.url, 8)]
  assert.deepEqual(da, db)
  assert.notDeepEqual(da, dc)
  // And it is the documented generator: mulberry32(seed) drives uniform(min, max).
  const sample = delaySampler('uniform', 0.001, 0.02, mulberry32(7))
  assert.deepEqual(da, Array.from({ length: 8 }, sample))
})

test('turning faults on does not change the delay sequence (faults draw from a second stream)', async (t) => {
  const plain = await withMock(t, { minWait: 0.001, maxWait: 0.01, seed: 3 })
  const faulty = await withMock(t, { minWait: 0.001, maxWait: 0.01, seed: 3, errorRate: 0.5 })
  const expected = await delays(plain.url, 10)
  const seen: number[] = []
  for (let i = 0; i < 10; i++) {
    const r = await get(`${faulty.url}/`)
    if (r.status === 200) seen.push(Number(r.headers['x-floodgate-delay-sec']))
    else seen.push(NaN)
  }
  assert.ok(seen.some(Number.isNaN), 'some requests should have failed at error rate 0.5')
  seen.forEach((d, i) => Number.isNaN(d) || assert.equal(d, expected[i]))
})

test('latency distributions stay in their documented ranges', () => {
  const n = 20_000
  const check = (kind: 'fixed' | 'uniform' | 'normal' | 'lognormal', min: number, max: number) => {
    const draw = delaySampler(kind, min, max, mulberry32(1))
    return Array.from({ length: n }, draw)
  }
  assert.ok(check('fixed', 1, 3).every((d) => d === 2))
  const u = check('uniform', 1, 3)
  assert.ok(u.every((d) => d >= 1 && d <= 3))
  assert.ok(Math.abs(u.reduce((s, d) => s + d, 0) / n - 2) < 0.05)
  const g = check('normal', 1, 3)
  assert.ok(g.every((d) => d >= 1 && d <= 3))
  assert.ok(Math.abs(g.reduce((s, d) => s + d, 0) / n - 2) < 0.05)
  const l = check('lognormal', 1, 3).sort((x, y) => x - y)
  assert.ok(l.every((d) => d >= 1))
  assert.ok(Math.abs(l[n / 2] - 2) < 0.05, `median ${l[n / 2]}`)
  assert.ok(Math.abs(l[Math.floor(n * 0.99)] - 3) < 0.15, `p99 ${l[Math.floor(n * 0.99)]}`)
  assert.ok(l[n - 1] > 3, 'lognormal keeps a tail beyond max')
  assert.ok(check('lognormal', 0, 0).every((d) => d === 0))
})

test('GET /health answers {"status":"Healthy"}', async (t) => {
  const mock = await withMock(t)
  const r = await get(`${mock.url}/health`)
  assert.equal(r.status, 200)
  assert.equal(r.text, '{"status":"Healthy"}')
})
