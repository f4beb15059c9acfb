// What a client sees of a failure never holds a server path or an internal address; the log keeps the
// whole message, under the request id the client also got (x-request-id).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import pino from 'pino'
import { repoRoot } from '../helpers/cli.js'
import { freePort } from '../helpers/ports.js'
import { score, serveFixture } from './helpers.js'

const LEAK = /(?:\/[\w.@+-]+){2,}|[A-Za-z]:\\|\b\d{1,3}(?:\.\d{1,3}){3}\b|[0-9a-f]*::[0-9a-f]|:\/\/|localhost/i

test('error bodies hold no server path or internal address; the log keeps them under the request id', async (t) => {
  // Served from elsewhere, as a deployed flow is: paths of the flow folder are absolute in messages.
  process.chdir(tmpdir())
  t.after(() => process.chdir(repoRoot))
  const lines: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) })
  const server = await serveFixture('leaky', { logger })
  t.after(() => server.close())
  // A loopback port nothing listens on.
  const upstream = `http://127.0.0.1:${await freePort()}/`

  const cases = [
    { mode: 'file', status: 500, says: /^node "leaky" failed: ENOENT: no such file or directory, open 'missing\.txt'$/, logged: /\/test\/serve\/fixtures\/leaky\/missing\.txt/ },
    { mode: 'upstream', status: 500, says: /^node "leaky" failed: GET <address> failed: connect ECONNREFUSED <address>$/, logged: new RegExp(upstream.replace(/[/.]/g, '\\$&')) },
    { mode: 'message', status: 500, says: /^node "leaky" failed: cannot reach <address> \(connect ECONNREFUSED <address>\), see secrets\.yaml or keys\.txt$/, logged: /http:\/\/10\.1\.2\.3:8443\/v1\/models \(connect ECONNREFUSED fd00::7:8443\), see \/etc\/floodgate\/secrets\.yaml/ },
    { mode: 'template', status: 500, says: /^node "render": template render\.jinja2: Unable to call `mode\["no_such_method"\]`, which is undefined or falsey$/, logged: /\/test\/serve\/fixtures\/leaky\/render\.jinja2/ }
  ]
  for (const c of cases) {
    const res = await score(server.url, { mode: c.mode, url: upstream })
    const message = (res.body as { error: { message: string } }).error.message
    assert.equal(res.status, c.status, res.text)
    assert.doesNotMatch(res.text, LEAK, `${c.mode}: the body leaks ${LEAK.exec(res.text)?.[0]}: ${res.text}`)
    assert.match(message, c.says, c.mode)
    const reqId = res.headers['x-request-id']
    const line = lines.find((l) => l.reqId === reqId && l.level === 50)
    assert.ok(line, `${c.mode}: no error line for request ${String(reqId)}`)
    assert.match(JSON.stringify(line.err), c.logged, `${c.mode}: the log keeps the whole message`)
  }
})
