// --scenario: multi-step users; a throwing scenario is recorded as an exception and the user restarts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { runLoad } from '../../src/load/index.js'
import { startServer } from './helpers/server.js'

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

test('scenario requests are recorded per name, with JSON bodies', async (t) => {
  const seen: string[] = []
  const server = await startServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d))
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''} ${body}`)
      res.setHeader('content-type', 'application/json')
      res.end('{"answer":"ok"}')
    })
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 2, spawnRate: 100, runTime: 1, scenario: fixture('scenario-ok.ts') })
  const names = result.endpoints.map((e) => `${e.method} ${e.name}`).sort()
  assert.deepEqual(names, ['GET /items/[id]', 'POST /score'])
  assert.equal(result.aggregated.requests, server.count())
  assert.equal(result.exceptions.length, 0)
  assert.ok(seen.some((s) => s.startsWith('POST /score application/json {"question":"Test question","user":')), seen[0])
})

test('a scenario that throws is recorded with its stack and the user restarts', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 1, runTime: 1.6, scenario: fixture('scenario-throws.mjs') })
  assert.equal(result.exceptions.length, 1)
  const e = result.exceptions[0]
  assert.equal(e.message, 'Error: scenario broke on purpose')
  assert.match(e.traceback, /scenario-throws\.mjs:3/)
  // 0.5 s pause after each exception: the user ran its loop again (2 to 4 times in 1.6 s).
  assert.ok(e.count >= 2 && e.count <= 4, `count ${e.count}`)
  assert.equal(result.aggregated.requests, e.count)
})

test('a scenario module without a default function is a clear error', async () => {
  await assert.rejects(runLoad({ url: 'http://127.0.0.1:1/', scenario: fixture('not-a-scenario.mjs') }), {
    name: 'ConfigError',
    message: `--scenario ${fixture('not-a-scenario.mjs')}: the module's default export must be an async function (user) => {...}`
  })
})

// Node fires a timer longer than 2^31 - 1 ms after 1 ms: a scenario's 30-day sleep returned at once and
// its user looped, sending a request every millisecond or so. It now sleeps until the run ends.
test('a scenario sleep longer than a timer holds lasts until the run ends', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 1, runTime: 0.5, scenario: fixture('scenario-sleeps-long.mjs') })
  assert.equal(result.aggregated.requests, 1)
  assert.equal(server.count(), 1)
  assert.equal(result.exceptions.length, 0)
})
