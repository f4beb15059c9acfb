// The page's controls refuse bad input with a 400 naming what is wrong, and start nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { spawnCli, waitForLine } from '../helpers/cli.js'

async function call(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<[number, unknown]> {
  const res = await request(`${base}${path}`, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  })
  return [res.statusCode, await res.body.json()]
}

test('load --ui with no URL waits for the page; bad start, edit, stop and download requests get 400 and their reason', async (t) => {
  const child = spawnCli(['load', '--ui', '--ui-port', '0'])
  t.after(() => child.kill('SIGKILL'))
  const [, base] = await waitForLine(child, /Live page: (http:\/\/\S+)\n/)
  const bad = (message: string) => ({ success: false, message })
  assert.deepEqual(await call(base!, 'POST', 'api/start', {}), [400, bad('missing host: the URL to load, e.g. http://127.0.0.1:8080/score')])
  assert.deepEqual(await call(base!, 'POST', 'api/start', { host: 'ftp://127.0.0.1/x' }), [400, bad('invalid URL "ftp://127.0.0.1/x": only http:// and https:// are supported')])
  assert.deepEqual(await call(base!, 'POST', 'api/start', { host: 'http://127.0.0.1:9/x', users: 'x' }), [400, bad('invalid --users "x": expected a whole number >= 1')])
  assert.deepEqual(await call(base!, 'POST', 'api/start', { host: 'http://127.0.0.1:9/x', runTime: 'soon' }),
    [400, bad('invalid --run-time "soon": expected a duration like 30s, 5m, 1h30m or 90 (seconds)')])
  assert.deepEqual(await call(base!, 'POST', 'api/edit', { users: 5 }), [400, bad('no test is running: start one first')])
  assert.deepEqual(await call(base!, 'POST', 'api/stop', {}), [400, bad('no test is running')])
  assert.deepEqual(await call(base!, 'GET', 'api/download/x.csv'), [400, bad('no test has run yet: nothing to download')])
  const [, state] = await call(base!, 'GET', 'api/state')
  assert.equal((state as { state: string; run: number }).state, 'ready')
  assert.equal((state as { run: number }).run, 0)
})
