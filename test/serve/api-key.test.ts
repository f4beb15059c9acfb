// The API key: given by env FLOODGATE_API_KEY or --api-key-file so that `ps` does not show it, and
// compared as fixed-length digests, so that no early length check tells a caller how long it is.
import { test, mock } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../helpers/cli.js'
import { serve, stop } from './cli-helpers.js'
import { fixture, score, serveFixture } from './helpers.js'

const KEY = 'k3y-0f-s0me-length'

test('every presented key, of any length, is compared in constant time as a 32-byte digest', async (t) => {
  const server = await serveFixture('echo', { apiKey: KEY })
  t.after(() => server.close())
  const compared: number[][] = []
  const original = crypto.timingSafeEqual
  const spy = mock.method(crypto, 'timingSafeEqual', (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    compared.push([a.byteLength, b.byteLength])
    return original(a, b)
  })
  syncBuiltinESMExports()
  t.after(() => {
    spy.mock.restore()
    syncBuiltinESMExports()
  })
  for (const key of ['x', KEY.slice(0, -1), `${KEY}!`, 'a'.repeat(500)]) {
    const res = await score(server.url, {}, { authorization: `Bearer ${key}` })
    assert.equal(res.status, 401, res.text)
    assert.equal((res.body as { error: { message: string } }).error.message, 'invalid API key')
  }
  assert.equal((await score(server.url, { text: 'hi' }, { authorization: `Bearer ${KEY}` })).status, 200)
  assert.deepEqual(compared, Array.from({ length: 5 }, () => [32, 32]))
})

test('the key from env FLOODGATE_API_KEY and from --api-key-file; a bad file is a usage error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-key-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'key')
  writeFileSync(file, `${KEY}\n`)
  for (const [args, env] of [[['--api-key-file', file], {}], [[], { FLOODGATE_API_KEY: KEY }]] as const) {
    const { child, url } = await serve([fixture('echo'), '--port', '0', '--workers', '1', ...args], env)
    try {
      assert.equal((await score(url, { text: 'hi' })).status, 401)
      assert.equal((await score(url, { text: 'hi' }, { authorization: `Bearer ${KEY}` })).status, 200)
      assert.ok(!(child.spawnargs.join(' ').includes(KEY)), 'the key is not on the command line')
    } finally {
      await stop(child)
    }
  }
  const empty = join(dir, 'empty')
  writeFileSync(empty, '\n')
  const r = await runCli(['serve', fixture('echo'), '--port', '0', '--api-key-file', empty])
  assert.equal(r.code, 2)
  assert.equal(r.stderr, `floodgate: --api-key-file ${empty}: the file is empty; write the key in it\n`)
  const missing = await runCli(['serve', fixture('echo'), '--port', '0', '--api-key-file', join(dir, 'nope')])
  assert.equal(missing.code, 2)
  assert.equal(missing.stderr, `floodgate: --api-key-file ${join(dir, 'nope')}: cannot read it (ENOENT)\n`)
})
