// A short bench through the real CLI: real mock, real `floodgate serve`, real `floodgate load` processes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOCUST_PERCENTILES } from '../../src/load/result.js'
import type { VariantMeta, VariantSamples } from '../../src/report/bench/data.js'
import { runCli } from '../helpers/cli.js'
import { aggregatedRow, processesWithMark, resultsFromMarkdown, writeSmallBench } from './helpers/bench-fixture.js'

const COLUMNS: [string, string][] = [
  ['Request Count', 'Request Count'], ['Failure Count', 'Failure Count'],
  ['Median Response Time (ms)', 'Median Response Time'], ['Average Response Time (ms)', 'Average Response Time'],
  ['Min Response Time (ms)', 'Min Response Time'], ['Max Response Time (ms)', 'Max Response Time'],
  ['Requests/s', 'Requests/s'], ['Failures/s', 'Failures/s'],
  ...LOCUST_PERCENTILES.map((p): [string, string] => [`${p}%`, `${p}%`])
]

test('floodgate bench runs each variant, keeps going past a failing one, and its report matches the CSVs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-e2e-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = writeSmallBench(dir, `
  - { name: test-mock, target: mock, method: GET, path: /, body: null, service_time: 0.3 }
  - { name: broken, target: broken }
  - { name: async, target: async, service_time: 0.55 }`)
  const out = join(dir, 'out')
  const mark = `FG_BENCH_E2E_${randomUUID()}`
  const r = await runCli(['bench', file, '--out', out], { env: { [mark]: '1' }, timeoutMs: 150_000 })

  // The failing variant is reported, the others ran, and the exit code says one failed.
  assert.equal(r.code, 1, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
  assert.match(r.stdout, /^broken: FAILED: broken: service broken: exited with code \d+ before it was ready \(floodgate serve .*no-such-flow/m)
  assert.match(r.stdout, /^test-mock: \d+ requests, [\d.]+ req\/s, 0 failures$/m)
  assert.match(r.stdout, /^async: \d+ requests, [\d.]+ req\/s, 0 failures$/m)
  assert.match(r.stdout, /^Metric +test-mock +async +study sync/m)
  assert.deepEqual(processesWithMark(mark), [], 'no process of the bench is left running')

  const broken = JSON.parse(readFileSync(join(out, 'broken/variant.json'), 'utf8')) as VariantMeta
  assert.equal(broken.status, 'failed')

  // Every figure of the results table is the CSV's Aggregated row.
  const markdown = readFileSync(join(out, 'report.md'), 'utf8')
  assert.match(markdown, /> \*\*broken failed:\*\* broken: service broken: exited/)
  const table = resultsFromMarkdown(markdown)
  for (const variant of ['test-mock', 'async']) {
    const csv = aggregatedRow(join(out, variant, `${variant}_stats.csv`))
    assert.ok(csv.get('Request Count')! > 50, `${variant} made too few requests: ${csv.get('Request Count')}`)
    for (const [row, column] of COLUMNS) {
      const shown = table.get(row)!.get(variant)!
      // The report rounds to 2 decimals: at most half a hundredth off.
      assert.ok(Math.abs(shown - csv.get(column)!) <= 0.005 + 1e-9, `${variant} ${row}: report ${shown}, CSV ${csv.get(column)}`)
    }
    assert.match(markdown, new RegExp(`### ${variant}\\n\\n\\*\\*(healthy|machine-bound|below ideal|backpressure|generator-bound): `))
  }

  // The samples cover every process: the mock and the server's processes, and the generator.
  const samples = JSON.parse(readFileSync(join(out, 'async/samples.json'), 'utf8')) as VariantSamples
  const roles = new Set(samples.processes.map((p) => p.role))
  assert.deepEqual([...roles].sort(), ['generator', 'server', 'service'])
  assert.ok(samples.processes.every((p) => p.samples.length >= 3 && p.samples.some((s) => s.rssBytes > 10e6)))
  assert.ok(samples.metrics.length >= 3, 'the server\'s /metrics were scraped every second')
  assert.deepEqual(samples.nodeTimings.map((n) => n.node), ['chat', 'node1', 'node2', 'node3'])

  const charts = readdirSync(join(out, 'charts'))
  for (const name of ['comparison-rps', 'async-rps', 'async-latency', 'async-users', 'async-cpu', 'async-memory', 'async-server', 'test-mock-cpu']) {
    assert.ok(charts.includes(`${name}.svg`), `chart ${name}.svg written`)
    assert.match(markdown, new RegExp(`\\(charts/${name}\\.svg\\)`))
  }
  assert.ok(existsSync(join(out, 'report.html')))
})
