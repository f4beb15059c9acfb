// `floodgate bench --capacity` for real: the matrix runs, then each variant's search with its own fresh
// services, into capacity/<variant>/; the comparison's capacity column is what that search found.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CapacityFile } from '../../src/capacity/data.js'
import { fmtRate } from '../../src/report/bench/format.js'
import { runCli } from '../helpers/cli.js'
import { writeSmallBench } from '../bench/helpers/bench-fixture.js'

test('bench --capacity searches each variant and adds its capacity to the comparison', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-capacity-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = writeSmallBench(dir, '  - { name: mock, target: mock }',
    'users: 2\n  spawn_rate: 2\n  run_time: 3s\n  wait: constant:0.1\n  warmup: 2\n  method: GET\n  path: /\n  body: null')
  const out = join(dir, 'out')
  const r = await runCli(['bench', file, '--out', out, '--capacity', '--slo', 'p99<1000', '--max-users', '2', '--step-time', '6s', '--budget', '40s'],
    { timeoutMs: 120_000 })
  assert.equal(r.code, 0, r.stderr + r.stdout)
  const found = JSON.parse(readFileSync(join(out, 'capacity/mock/capacity.json'), 'utf8')) as CapacityFile
  assert.deepEqual([found.capacity?.load, found.capacity?.at_least, found.stop_reason], [2, true, 'upper-bound'])
  assert.equal(found.target.services.map((s) => s.name).join(), 'mock', 'the search started its own mock')
  const cell = `at least 2 users (${fmtRate(found.capacity!.achieved_rps)})`
  assert.match(r.stdout, /^mock: capacity search$/m)
  assert.match(r.stdout, /^step +1 +2 users +probe +pass /m)
  assert.match(r.stdout, /^mock: capacity: at least 2 users within p99<1000: /m)
  // The terminal's analysis table and report.md's both carry the column.
  assert.match(r.stdout, new RegExp(`Capacity within p99<1000\\n[- ]+\\nmock .* ${cell.replace(/[()]/g, '\\$&')}$`, 'm'))
  const markdown = readFileSync(join(out, 'report.md'), 'utf8')
  assert.match(markdown, /\| Verdict \| Capacity within p99<1000 \|/)
  assert.match(markdown, new RegExp(`\\| ${cell.replace(/[()]/g, '\\$&')} \\|`))
})
