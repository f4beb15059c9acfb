// --api-key against a real loopback server: which headers carry the key, what a caller without it is told
// (the exact envelope, WWW-Authenticate: Bearer), and that a refused request runs nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import pino from 'pino'
import { apiKeyCheck } from '../../src/serve/auth.js'
import { call, score, serveFixture } from './helpers.js'

const KEY = 's3cret'
const MISSING = {
  error: { code: 'UserError', message: 'missing API key: send the header "Authorization: Bearer <key>"', inner_error: { code: 'BAD_REQUEST', field: 'Authorization' } }
}
const INVALID = { error: { code: 'UserError', message: 'invalid API key', inner_error: { code: 'BAD_REQUEST', field: 'Authorization' } } }
const OK = { answer: { question: 'hi', history: 0, n: 1 } }

test('the key as a Bearer token, a bare Authorization value or an api-key header; anything else is a 401 that runs nothing', async (t) => {
  const server = await serveFixture('typed', { apiKey: KEY })
  t.after(() => server.close())
  const cases: Array<[string, Record<string, string>, 200 | 401, unknown]> = [
    ['no key', {}, 401, MISSING],
    ['Bearer', { authorization: `Bearer ${KEY}` }, 200, OK],
    ['bearer in lower case, two spaces', { authorization: `bearer  ${KEY}` }, 200, OK],
    ['a bare Authorization value', { authorization: KEY }, 200, OK],
    ['api-key', { 'api-key': KEY }, 200, OK],
    ['a wrong Bearer token', { authorization: 'Bearer nope' }, 401, INVALID],
    ['the key with more after it', { authorization: `Bearer ${KEY} ${KEY}` }, 401, INVALID],
    ['Bearer and no token', { authorization: 'Bearer' }, 401, INVALID],
    ['Bearer, but not first', { authorization: `Token Bearer ${KEY}` }, 401, INVALID],
    ['another scheme', { authorization: `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}` }, 401, INVALID],
    ['a wrong api-key', { 'api-key': 'nope' }, 401, INVALID],
    ['Authorization wins over api-key', { authorization: 'Bearer nope', 'api-key': KEY }, 401, INVALID]
  ]
  for (const [name, headers, status, body] of cases) {
    const res = await score(server.url, { question: 'hi' }, headers)
    assert.equal(res.status, status, `${name}: ${res.text}`)
    assert.deepEqual(res.body, body, name)
    assert.equal(res.headers['www-authenticate'], status === 401 ? 'Bearer' : undefined, name)
    if (status === 401) {
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', name)
      assert.equal(res.headers['retry-after'], undefined, `${name}: Retry-After is for 503s`)
    }
  }
  // The flow ran once per admitted request, never for a refused one.
  const admitted = cases.filter((c) => c[2] === 200).length
  const metrics = await call(`${server.url}/metrics`)
  assert.match(metrics.text, new RegExp(`\\nfloodgate_node_duration_seconds_count\\{node="answer"\\} ${admitted}\\n`))
  assert.match(metrics.text, new RegExp(`\\nfloodgate_http_requests_total\\{route="/score",status="401"\\} ${cases.length - admitted}\\n`))
})

test('/feedback needs the key too; the probes, /metrics and /swagger.json do not', async (t) => {
  const server = await serveFixture('typed', { apiKey: KEY })
  t.after(() => server.close())
  const feedback = await call(`${server.url}/feedback`, { body: '{"rating": 5}', headers: { 'content-type': 'application/json' } })
  assert.equal(feedback.status, 401)
  assert.deepEqual(feedback.body, MISSING)
  assert.equal(feedback.headers['www-authenticate'], 'Bearer')
  const keyed = await call(`${server.url}/feedback`, { body: '{"rating": 5}', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } })
  assert.deepEqual([keyed.status, keyed.body], [200, { status: 'Feedback received.' }])
  for (const path of ['/health', '/version', '/metrics', '/swagger.json']) {
    const res = await call(`${server.url}${path}`)
    assert.equal(res.status, 200, path)
    assert.equal(res.headers['www-authenticate'], undefined, path)
  }
})

// The check stops a refused request itself: after its 401 it returns without calling done(). Our server
// ends a reply at once, so fastify would see it sent and stop the request anyway; where sending takes a
// turn of the event loop (an onSend hook of a plugin, compression), done() after the 401 ran the route
// for a caller without the key and fastify warned that the reply was already sent.
test('a refused request stops at the key check even while its 401 is still being sent', async (t) => {
  const logged: Array<{ msg?: string }> = []
  const app = Fastify({ loggerInstance: pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line) as { msg?: string }) }) })
  t.after(() => app.close())
  let runs = 0
  // Long enough for a request that went on to have its body read and its route run (a few ticks).
  app.addHook('onSend', async (_request, _reply, payload) => {
    await sleep(100)
    return payload
  })
  app.addHook('onRequest', apiKeyCheck(KEY))
  app.post('/score', async () => {
    runs++
    return { ran: true }
  })
  const cases: Array<[string, Record<string, string>, number, unknown]> = [
    ['no key', {}, 401, MISSING],
    ['a wrong key', { authorization: 'Bearer nope' }, 401, INVALID],
    ['the key', { authorization: `Bearer ${KEY}` }, 200, { ran: true }]
  ]
  for (const [name, headers, status, body] of cases) {
    const res = await app.inject({ method: 'POST', url: '/score', payload: { question: 'hi' }, headers })
    assert.deepEqual([res.statusCode, res.json()], [status, body], name)
  }
  assert.equal(runs, 1, 'the route ran for the keyed request only')
  assert.deepEqual(logged.map((line) => line.msg), [], 'nothing warned')
})
