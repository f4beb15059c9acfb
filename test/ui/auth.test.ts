// With a token every request must carry it (Bearer or ?token=), else 401; without one (loopback), a
// request naming another host is refused, so a page elsewhere cannot reach the UI by DNS rebinding.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { spawnCli, waitForLine } from '../helpers/cli.js'
import { startServer } from '../load/helpers/server.js'

const TOKEN = 'test-token-0123456789abcdef'

async function status(url: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}): Promise<number> {
  const res = await request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body, headersTimeout: 10_000 })
  // An event stream never ends: read only what the status needs.
  res.body.on('error', () => {}).destroy()
  return res.statusCode
}

test('--ui-token: every request without it gets 401, with it (Bearer or ?token=) the page answers', async (t) => {
  const target = await startServer()
  t.after(() => target.close())
  const child = spawnCli(['load', `${target.url}/x`, '--ui', '--ui-port', '0', '--ui-token', TOKEN])
  t.after(() => child.kill('SIGKILL'))
  const [, url] = await waitForLine(child, /Live page: (http:\/\/\S+)\n/)
  const base = url!.replace(/\/\?token=.*$/, '')
  assert.equal(url, `${base}/?token=${TOKEN}`)
  const json = { 'content-type': 'application/json' }
  for (const path of ['/', '/api/state', '/api/events', '/assets/dashboard.js', '/assets/echarts.min.js', '/api/download/x.csv']) {
    assert.equal(await status(`${base}${path}`), 401, `GET ${path} without the token`)
    assert.equal(await status(`${base}${path}?token=wrong-token-0123456789ab`), 401, `GET ${path} with a wrong token`)
    assert.equal(await status(`${base}${path}`, { headers: { authorization: 'Bearer nope' } }), 401, `GET ${path} with a wrong Bearer`)
  }
  for (const path of ['/api/start', '/api/stop', '/api/edit']) assert.equal(await status(`${base}${path}`, { method: 'POST', headers: json, body: '{}' }), 401, path)
  assert.equal(await status(`${base}/?token=${TOKEN}`), 200)
  assert.equal(await status(`${base}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } }), 200)
  assert.equal(await status(`${base}/assets/dashboard.js`, { headers: { authorization: `Bearer ${TOKEN}` } }), 200)
  // Nothing was started without the token: the server saw no request.
  assert.equal(target.count(), 0)
})

test('no token on loopback: a request for another Host name is refused (403)', async (t) => {
  const child = spawnCli(['load', 'http://127.0.0.1:9/x', '--ui', '--ui-port', '0'])
  t.after(() => child.kill('SIGKILL'))
  const [, url] = await waitForLine(child, /Live page: (http:\/\/\S+)\n/)
  assert.equal(await status(`${url}api/state`), 200)
  assert.equal(await status(`${url}api/state`, { headers: { host: 'evil.example:8089' } }), 403)
  assert.equal(await status(`${url}api/state`, { headers: { host: 'localhost:8089' } }), 200)
})
