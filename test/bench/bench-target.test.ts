// --target: the same load and report against a service Floodgate did not start (here a mock started by
// the test, standing in for a Python pf serve). Its request count must equal what the service received.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startMock } from '../../src/mock/index.js'
import type { LoadResult } from '../../src/load/result.js'
import type { VariantMeta } from '../../src/report/bench/data.js'
import { runCli } from '../helpers/cli.js'
import { writeSmallBench } from './helpers/bench-fixture.js'

test('floodgate bench --target URL loads an already running service and reports it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-target-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const mock = await startMock({ host: '127.0.0.1', port: 0, minWait: 0.2, maxWait: 0.2 })
  t.after(() => mock.close())
  const file = writeSmallBench(dir, '  - { name: unused, target: mock }',
    'users: 5\n  spawn_rate: 5\n  run_time: 3s\n  wait: constant:0.1\n  warmup: 2\n  method: GET\n  path: /\n  body: null')
  const out = join(dir, 'out')
  const r = await runCli(['bench', file, '--target', mock.url, '--out', out], { timeoutMs: 60_000 })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^target: \d+ requests, [\d.]+ req\/s, 0 failures$/m)
  const meta = JSON.parse(readFileSync(join(out, 'target/variant.json'), 'utf8')) as VariantMeta
  assert.equal(meta.kind, 'external')
  assert.equal(meta.url, `${mock.url.replace(/\/$/, '')}/`)
  assert.equal(meta.warmupMs.length, 2)
  const result = JSON.parse(readFileSync(join(out, 'target/result.json'), 'utf8')) as LoadResult
  // Warm-up requests plus the load's: every one reached the service.
  assert.equal((await mock.stats()).received, result.aggregated.requests + 2)
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /### target\n\n\*\*(healthy|degraded|below ideal|machine-bound)/)
})

test('bad flags are usage errors naming the flag', async () => {
  const [target, users, only, file] = await Promise.all([
    runCli(['bench', '--target', 'ftp://x']),
    runCli(['bench', '--users', 'many']),
    runCli(['bench', '--only', 'nope']),
    runCli(['bench', 'missing.yaml'])
  ])
  assert.equal(target.code, 2)
  assert.equal(target.stderr, 'floodgate: invalid --target "ftp://x": expected an http(s) URL such as http://127.0.0.1:8080/score\n')
  assert.equal(users.code, 2)
  assert.equal(users.stderr, 'floodgate: invalid --users "many": expected a whole number >= 1\n')
  assert.equal(only.code, 2)
  assert.match(only.stderr, /^floodgate: --only: unknown variant "nope" \(variants: test-mock, static-sync, /)
  assert.equal(file.code, 2)
  assert.match(file.stderr, /^floodgate: missing\.yaml: cannot read the bench file: ENOENT/)
})
