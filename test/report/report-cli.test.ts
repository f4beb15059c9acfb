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
  // The terminal leads with the summary, then the verdict table, then this run's results.
  assert.match(r.stdout, /^Summary:\n- static-async answered 168\.3 req\/s \(101% of the ideal 166\.7 req\/s\).*\n- static-sync answered 37\.93 req\/s .*limited by its 64 run slots \(capacity 51\.12 req\/s\).*\n- broken failed before it was measured: /m)
  assert.match(r.stdout, /^static-sync +37\.9 +0\.0 +166\.7 +22\.8% .* backpressure$/m)
  assert.ok(r.stdout.indexOf('Summary:') < r.stdout.indexOf('Variant ') && r.stdout.indexOf('Variant ') < r.stdout.indexOf('Results of this run:'))

  const markdown = readFileSync(join(dir, 'report.md'), 'utf8')
  const table = resultsFromMarkdown(markdown)
  const sync = JSON.parse(readFileSync(join(dir, 'static-sync/result.json'), 'utf8')) as LoadResult
  assert.equal(table.get('Request Count')!.get('static-sync'), sync.aggregated.requests)
  assert.equal(table.get('Median Response Time (ms)')!.get('static-sync'), 8200)
  assert.equal(table.get('Answered (2xx) req/s')!.get('static-sync'), Math.round(sync.aggregated.rps * 100) / 100)
  assert.equal(table.get('Refused (503) req/s')!.get('static-sync'), 0)
  // The study's archived 500-user run is the reference for a 500-user bench, in its own labelled section.
  assert.match(markdown, /## Reference: The study's published figures\n\n_Reference, not measured in this run\.[^\n]*\n\n\| Metric \| study sync \(Flask, 500 users\) \| study async DAG \(500 users\) \| study flex async \(500 users\) \|\n[^\n]*\n(\|[^\n]*\n)*\| Requests\/s \| 41\.17 \| 166\.23 \| 166\.47 \|\n\| Failures\/s \| — \| — \| — \|/)
  assert.match(markdown, /- broken failed before it was measured: service broken: exited with code 1 before it was ready\./)
  assert.match(markdown, /### broken\n\n\*\*failed:\*\* broken: service broken: exited with code 1 before it was ready/)
  assert.match(markdown, /\| static-sync \| 37\.9 \| 0\.0 \| 166\.7 \| 22\.8% \| 8,200 ms \| 25,000 ms \| 6,950 ms \| 23,750 ms \| 1\.0 ms \| [\d.]+ ms \| 0 \| backpressure \|/)

  const svgs = readdirSync(join(dir, 'charts'))
  assert.ok(svgs.includes('summary.svg'), 'the comparison chart of the summary')
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
