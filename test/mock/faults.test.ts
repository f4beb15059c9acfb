import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { eventually, get, withMock } from './helpers/mock.js'

test('--error-rate 1 answers every request with --error-status and a JSON error body', async (t) => {
  const mock = await withMock(t, { errorRate: 1, errorStatus: 503 })
  const r = await get(`${mock.url}/`)
  assert.equal(r.status, 503)
  assert.match(String(r.headers['content-type']), /^application\/json/)
  assert.deepEqual(JSON.parse(r.text), { detail: 'injected error (floodgate mock --error-rate)' })
  const s = await mock.stats()
  assert.deepEqual(s.byStatus, { '503': 1 })
})

test('--reset-rate 1 resets the connection: the client sees ECONNRESET', async (t) => {
  const mock = await withMock(t, { resetRate: 1 })
  await assert.rejects(request(`${mock.url}/`), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'ECONNRESET')
    return true
  })
  const s = await mock.stats()
  assert.equal(s.reset, 1)
  assert.equal(s.received, 1)
  assert.equal(s.inFlight, 0)
})

test('--hang-rate 1 never answers: the client times out, the request is counted as hung and released', async (t) => {
  const mock = await withMock(t, { hangRate: 1 })
  await assert.rejects(request(`${mock.url}/`, { headersTimeout: 300 }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'UND_ERR_HEADERS_TIMEOUT')
    return true
  })
  const s = await mock.stats()
  assert.equal(s.hung, 1)
  assert.equal(s.answered, 0)
  assert.equal(s.inFlight, 0)
})

test('close() does not wait for hung or waiting requests', async (t) => {
  const mock = await withMock(t, { hangRate: 0.5, minWait: 30, maxWait: 30, seed: 1 })
  const pending = Array.from({ length: 6 }, () => request(`${mock.url}/`).then(
    (r) => r.body.text().then(() => 'answered'),
    (err: Error & { code?: string }) => err.code ?? err.message
  ))
  await eventually(async () => {
    const s = await mock.stats()
    assert.equal(s.received, 6)
  })
  const s = await mock.stats()
  assert.ok(s.hung > 0 && s.inFlight > 0, `expected both hung and waiting requests: ${JSON.stringify(s)}`)
  const started = Date.now()
  await mock.close()
  assert.ok(Date.now() - started < 5_000, 'close() took too long')
  const outcomes = await Promise.all(pending)
  assert.ok(outcomes.every((o) => o === 'UND_ERR_SOCKET'), `clients should see the socket closed: ${outcomes.join(', ')}`)
})

test('mixed fault rates: every outcome seen, and counts reconcile with what the client saw', async (t) => {
  const mock = await withMock(t, { errorRate: 0.2, resetRate: 0.2, hangRate: 0.2, seed: 11 })
  const seen = { ok: 0, error: 0, reset: 0, timeout: 0 }
  const n = 60
  await Promise.all(Array.from({ length: n }, async () => {
    try {
      const r = await request(`${mock.url}/`, { headersTimeout: 1_000 })
      await r.body.text()
      if (r.statusCode === 200) seen.ok++
      else seen.error++
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'UND_ERR_HEADERS_TIMEOUT') seen.timeout++
      else seen.reset++
    }
  }))
  assert.ok(seen.ok > 0 && seen.error > 0 && seen.reset > 0 && seen.timeout > 0, JSON.stringify(seen))
  await eventually(async () => {
    const s = await mock.stats()
    assert.equal(s.received, n)
    assert.equal(s.inFlight, 0)
    assert.equal(s.byStatus['200'], seen.ok)
    assert.equal(s.byStatus['500'], seen.error)
    assert.equal(s.hung, seen.timeout)
    assert.equal(s.reset, seen.reset)
    assert.equal(s.received, s.answered + s.reset + s.hung + s.aborted + s.inFlight)
  })
})
