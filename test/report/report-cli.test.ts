import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadResult } from '../../src/load/result.js'
import { runCli } from '../helpers/cli.js'
import { resultsFromMarkdown } from '../bench/helpers/bench-fixture.js'
import { writeSyntheticBench } from './helpers/synthetic.js'

test('floodgate report rebuilds report.md, the SVG charts and report.html from the saved files alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-report-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeSyntheticBench(dir)
  const r = await runCli(['report', dir], { timeoutMs: 60_000 })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^static-async: healthy: /m)
  assert.match(r.stdout, /^static-sync: backpressure: all 64 run slots \(8 workers x 8 threads\) taken 100% of the time .* against a pool capacity of 51\.12 req\/s \(64 runs at once \/ 1\.25 s per run; \d+% of it\)/m)

  const markdown = readFileSync(join(dir, 'report.md'), 'utf8')
  const table = resultsFromMarkdown(markdown)
  const sync = JSON.parse(readFileSync(join(dir, 'static-sync/result.json'), 'utf8')) as LoadResult
  assert.equal(table.get('Request Count')!.get('static-sync'), sync.aggregated.requests)
  assert.equal(table.get('Median Response Time (ms)')!.get('static-sync'), 8200)
  // The study's archived 500-user run is the reference for a 500-user bench.
  assert.equal(table.get('Requests/s')!.get('study sync (Flask, 500 users)'), 41.17)
  assert.ok(Number.isNaN(table.get('Failures/s')!.get('study flex async (500 users)')!))
  assert.match(markdown, /> \*\*broken failed:\*\* broken: service broken: exited with code 1 before it was ready/)
  assert.match(markdown, /\| static-sync \| 1\.25 s \| 458\.3 \| 166\.7 \| [\d.]+ \| \d+\.\d% \| 6,950 ms \| 23,750 ms \| [\d.]+ ms \| 0 \| backpressure \|/)

  const svgs = readdirSync(join(dir, 'charts'))
  assert.deepEqual(svgs.filter((f) => f.startsWith('static-sync')).sort(), [
    'static-sync-cpu.svg', 'static-sync-latency.svg', 'static-sync-memory.svg', 'static-sync-rps.svg', 'static-sync-server.svg', 'static-sync-users.svg'
  ])
  for (const f of svgs) {
    const svg = readFileSync(join(dir, 'charts', f), 'utf8')
    assert.match(svg, /^<svg [^>]*width="900" height="340"/, f)
    assert.match(svg, /<path d="M[\d.]+ [\d.]+L/, `${f} draws lines`)
  }
  const html = readFileSync(join(dir, 'report.html'), 'utf8')
  assert.ok(statSync(join(dir, 'report.html')).size > 500_000, 'echarts is inlined')
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)="https?:/i)
})

test('floodgate report names a folder that is not a bench folder, or a broken file in it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-report-bad-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const missing = await runCli(['report', dir])
  assert.equal(missing.code, 2)
  assert.equal(missing.stderr, `floodgate: ${dir}: not a bench folder (no bench.json; run \`floodgate bench --out ${dir}\` first)\n`)
  writeFileSync(join(dir, 'bench.json'), '{"variants": [')
  const broken = await runCli(['report', dir])
  assert.equal(broken.code, 2)
  assert.match(broken.stderr, new RegExp(`^floodgate: ${join(dir, 'bench.json')}: cannot read the bench results: .*JSON`))
  writeFileSync(join(dir, 'bench.json'), '{"variants": ["a"]}')
  const empty = await runCli(['report', dir])
  assert.equal(empty.code, 2)
  assert.equal(empty.stderr, `floodgate: ${dir}: no variant results in this bench folder\n`)
})
