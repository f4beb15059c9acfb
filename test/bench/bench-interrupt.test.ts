// Ctrl-C during a bench: the load stops, what it measured is kept and reported, nothing is left running.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadResult } from '../../src/load/result.js'
import type { VariantMeta } from '../../src/report/bench/data.js'
import { spawnCli, waitForLine } from '../helpers/cli.js'
import { processesWithMark, writeSmallBench } from './helpers/bench-fixture.js'

test('SIGINT stops the running variant, skips the rest, keeps its results and leaves no process behind', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-int-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = writeSmallBench(dir, `
  - { name: first, target: mock, method: GET, path: /, body: null, service_time: 0.3 }
  - { name: never, target: mock, method: GET, path: /, body: null }`,
  'users: 10\n  spawn_rate: 10\n  run_time: 60s\n  wait: constant:0.1\n  warmup: 1')
  const out = join(dir, 'out')
  const mark = `FG_BENCH_INT_${randomUUID()}`
  const child = spawnCli(['bench', file, '--out', out], { env: { [mark]: '1' } })
  t.after(() => child.kill('SIGKILL'))
  let stdout = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  // The first progress line: the load is running.
  await waitForLine(child, /^first +\d+\/60 s +users/m, 60_000)
  await new Promise((r) => setTimeout(r, 2500))
  child.kill('SIGINT')
  assert.equal(await exited, 130, stdout)
  assert.match(stdout, /^first: interrupted, \d+ requests/m)
  assert.doesNotMatch(stdout, /^never/m)
  assert.deepEqual(processesWithMark(mark), [], 'no process of the bench is left running')

  const meta = JSON.parse(readFileSync(join(out, 'first/variant.json'), 'utf8')) as VariantMeta
  assert.equal(meta.status, 'interrupted')
  const result = JSON.parse(readFileSync(join(out, 'first/result.json'), 'utf8')) as LoadResult
  assert.equal(result.interrupted, true)
  assert.ok(result.aggregated.requests > 0)
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /Interrupted before the end: figures cover the part that ran\./)
})
