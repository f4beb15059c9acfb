// The retry policy of LLM calls on its own: which answers and failures are retried, the wait a server
// asks for (retry-after-ms, retry-after in seconds or as an HTTP date), and the backoff otherwise.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { backoffMs, isRetriableError, isRetriableStatus, retryAfterMs } from '../../src/llm/retry.js'

test('retryAfterMs reads retry-after-ms, then retry-after in seconds or as a date, up to a minute', () => {
  const now = Date.parse('2026-11-27T12:00:00Z')
  const cases: Array<[Record<string, string | string[] | undefined>, number | null]> = [
    [{}, null],
    [{ 'retry-after': '1' }, 1000],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after': '2.5' }, 2500],
    [{ 'retry-after': '60' }, 60_000],
    [{ 'retry-after': '61' }, null],
    [{ 'retry-after': '-1' }, null],
    [{ 'retry-after': 'soon' }, null],
    [{ 'retry-after': ['3', '9'] }, 3000],
    [{ 'retry-after': 'Fri, 27 Nov 2026 12:00:07 GMT' }, 7000],
    [{ 'retry-after': 'Fri, 27 Nov 2026 11:59:00 GMT' }, null],
    [{ 'retry-after': 'Fri, 27 Nov 2026 12:01:01 GMT' }, null],
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '0' }, 0],
    [{ 'retry-after-ms': '60000' }, 60_000],
    [{ 'retry-after-ms': '60001', 'retry-after': '1' }, null],
    [{ 'retry-after-ms': '250', 'retry-after': '5' }, 250],
    [{ 'retry-after-ms': 'x', 'retry-after': '2' }, 2000],
    [{ 'retry-after-ms': '-5', 'retry-after': '2' }, 2000],
    [{ 'retry-after-ms': ['120', '1'] }, 120]
  ]
  for (const [headers, expected] of cases) assert.equal(retryAfterMs(headers, now), expected, JSON.stringify(headers))
})

test('retryAfterMs takes the current time by default', () => {
  const inFiveSeconds = new Date(Date.now() + 5000).toUTCString()
  const ms = retryAfterMs({ 'retry-after': inFiveSeconds })
  // An HTTP date has whole seconds: 4 to 5 s from now.
  assert.ok(ms !== null && ms > 3000 && ms <= 5000, `got ${ms}`)
})

test('backoff doubles from 0.5 s up to 8 s, less up to 25% of jitter', () => {
  assert.equal(backoffMs(0, () => 0), 500)
  assert.equal(backoffMs(0, () => 1), 375)
  assert.equal(backoffMs(1, () => 0), 1000)
  assert.equal(backoffMs(1, () => 0.5), 875)
  assert.equal(backoffMs(2, () => 0), 2000)
  assert.equal(backoffMs(4, () => 0), 8000)
  assert.equal(backoffMs(5, () => 0), 8000)
  assert.equal(backoffMs(20, () => 1), 6000)
  for (let i = 0; i < 100; i++) {
    const ms = backoffMs(0)
    assert.ok(ms > 375 && ms <= 500, `default jitter: ${ms}`)
  }
})

test('retried statuses: 408, 409, 429 and 5xx; not other 4xx', () => {
  for (const status of [408, 409, 429, 500, 502, 503, 504, 599]) assert.equal(isRetriableStatus(status), true, String(status))
  for (const status of [200, 400, 401, 403, 404, 407, 410, 422, 428, 499]) assert.equal(isRetriableStatus(status), false, String(status))
})

test('retried failures: refused, reset, timeouts, DNS and unreachable networks; not others', () => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
    'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
    assert.equal(isRetriableError(Object.assign(new Error(code), { code })), true, code)
  }
  for (const err of [new Error('plain'), Object.assign(new Error('x'), { code: 'ENOTFOUND' }), Object.assign(new Error('x'), { code: 'UND_ERR_ABORTED' }), { code: 'ECONNREFUSED ' }]) {
    assert.equal(isRetriableError(err), false, JSON.stringify(err))
  }
})
