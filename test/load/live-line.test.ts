// The live line of `floodgate load` names what is running: users in a closed loop, and in an open loop
// (where the user count of a history point is the requests in flight) no users at all.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runCli } from '../helpers/cli.js'
import { startServer } from './helpers/server.js'

test('open loop: the live line says "open loop" and the requests in flight, not "users"; closed loop: users', async (t) => {
  const server = await startServer((_req, res) => setTimeout(() => res.end('ok'), 200))
  t.after(() => server.close())
  const [open, closed] = await Promise.all([
    runCli(['load', server.url, '--rate', '20', '--run-time', '3s']),
    runCli(['load', server.url, '--users', '3', '--run-time', '3s'])
  ])
  assert.equal(open.code, 0, open.stderr)
  const openLines = open.stdout.split('\n').filter((l) => /^\[\s*\d+s\/3s\]/.test(l))
  assert.ok(openLines.length >= 1, open.stdout)
  for (const line of openLines) {
    assert.match(line, /^\[\s*\d+s\/3s\] open loop \| reqs \d+ .*\| in flight \d+ \| cpu/)
    assert.doesNotMatch(line, /users/)
  }
  assert.equal(closed.code, 0, closed.stderr)
  assert.match(closed.stdout, /^\[\s*\d+s\/3s\] users 3 \| reqs \d+ /m)
})
