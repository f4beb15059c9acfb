import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import type { MockStatsSnapshot } from '../../src/mock/index.js'
import { chat, eventually, get, post, withMock } from './helpers/mock.js'

async function statsOf(url: string): Promise<MockStatsSnapshot> {
  const r = await get(`${url}/stats`)
  assert.equal(r.status, 200)
  return JSON.parse(r.text) as MockStatsSnapshot
}

test('GET /stats counts API requests by outcome and status, and not itself or /health', async (t) => {
  const mock = await withMock(t)
  await get(`${mock.url}/`)
  await get(`${mock.url}/`)
  await chat(mock.url, { model: 'm' }) // 400: no messages
  await get(`${mock.url}/health`)
  await get(`${mock.url}/stats`)
  const s = await statsOf(mock.url)
  assert.equal(s.received, 3)
  assert.equal(s.answered, 3)
  assert.equal(s.inFlight, 0)
  assert.deepEqual(s.byStatus, { '200': 2, '400': 1 })
  assert.equal(s.workers, 1)
  assert.ok(Date.parse(s.startedAt) <= Date.now())
  assert.ok(s.uptimeSec >= 0)
  assert.deepEqual(Object.keys(s), ['received', 'answered', 'inFlight', 'hung', 'reset', 'aborted', 'tokensSent', 'byStatus', 'startedAt', 'uptimeSec', 'workers'])
})

test('waiting requests are in flight; a client that leaves is counted as aborted and its timer stopped', async (t) => {
  const mock = await withMock(t, { minWait: 20, maxWait: 20 })
  const controller = new AbortController()
  const pending = request(`${mock.url}/`, { signal: controller.signal }).catch((err: Error) => err.name)
  await eventually(async () => assert.equal((await statsOf(mock.url)).inFlight, 1))
  controller.abort()
  assert.equal(await pending, 'AbortError')
  await eventually(async () => {
    const s = await statsOf(mock.url)
    assert.equal(s.inFlight, 0)
    assert.equal(s.aborted, 1)
    assert.equal(s.answered, 0)
  })
})

test('POST /stats/reset starts a new period and keeps requests still in flight', async (t) => {
  const mock = await withMock(t, { minWait: 0.3, maxWait: 0.3 })
  await get(`${mock.url}/`)
  const waiting = get(`${mock.url}/`)
  await eventually(async () => assert.equal((await statsOf(mock.url)).inFlight, 1))
  const r = await post(`${mock.url}/stats/reset`, '')
  assert.equal(r.status, 200)
  const after = JSON.parse(r.text) as MockStatsSnapshot
  assert.equal(after.received, 1)
  assert.equal(after.answered, 0)
  assert.deepEqual(after.byStatus, {})
  await waiting
  const s = await statsOf(mock.url)
  assert.equal(s.received, 1)
  assert.equal(s.answered, 1)
  assert.deepEqual(s.byStatus, { '200': 1 })
})

test('stats() and resetStats() of the in-process handle match GET /stats', async (t) => {
  const mock = await withMock(t)
  await get(`${mock.url}/`)
  assert.equal((await mock.stats()).answered, 1)
  await mock.resetStats()
  assert.equal((await statsOf(mock.url)).answered, 0)
})
