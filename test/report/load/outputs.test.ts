// The outputs of one real run: Locust's CSV headers byte for byte, the JSON shape, a self-contained HTML page.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'
import { startServer } from '../../load/helpers/server.js'
import { LOAD_RESULT_VERSION, decodeHistogram } from '../../../src/load/index.js'

// Locust 2.x's header rows (csv.writer, so \r\n line ends).
const LOCUST = {
  stats: 'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n',
  history: 'Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size\r\n',
  failures: 'Method,Name,Error,Occurrences\r\n',
  exceptions: 'Count,Message,Traceback,Nodes\r\n'
}

const tmp = mkdtempSync(join(tmpdir(), 'floodgate-load-out-'))
test.after(() => rmSync(tmp, { recursive: true, force: true }))

test('one run writes Locust CSVs, the JSON result and an offline HTML page', async (t) => {
  let n = 0
  const server = await startServer((_req, res) => {
    if (++n % 10 === 0) {
      res.statusCode = 503
      return res.end('busy')
    }
    res.end('{"answer":"completed"}')
  })
  t.after(() => server.close())
  const prefix = join(tmp, 'out', 'mock')
  const r = await runCli(['load', `${server.url}/score`, '--users', '4', '--spawn-rate', '8', '--run-time', '2.5s',
    '--wait', 'between:0.01,0.02', '--body', '{"question":"Test question","chat_history":[]}',
    '--csv', prefix, '--json', `${prefix}.json`, '--html', `${prefix}.html`])
  assert.equal(r.code, 0, r.stderr)

  const stats = readFileSync(`${prefix}_stats.csv`, 'utf8')
  const history = readFileSync(`${prefix}_stats_history.csv`, 'utf8')
  const failures = readFileSync(`${prefix}_failures.csv`, 'utf8')
  assert.ok(stats.startsWith(LOCUST.stats))
  assert.ok(history.startsWith(LOCUST.history))
  assert.ok(failures.startsWith(LOCUST.failures))
  assert.equal(readFileSync(`${prefix}_exceptions.csv`, 'utf8'), LOCUST.exceptions)

  const json = JSON.parse(readFileSync(`${prefix}.json`, 'utf8'))
  const rows = stats.trim().split('\r\n').map((l) => l.split(','))
  assert.equal(rows.length, 3)
  assert.deepEqual(rows[1].slice(0, 2), ['POST', '/score'])
  assert.deepEqual(rows[2].slice(0, 2), ['', 'Aggregated'])
  assert.equal(Number(rows[2][2]), server.count())
  assert.equal(Number(rows[2][3]), Math.floor(server.count() / 10))
  // Each cell is the JSON result's figure for its column (csv.ts keeps 6 decimals), so a swapped column fails.
  const a = json.aggregated
  const expected = [a.medianMs, a.meanMs, a.minMs, a.maxMs, a.avgContentBytes, a.rps, a.failuresPerSec,
    ...['50', '66', '75', '80', '90', '95', '98', '99', '99.9', '99.99', '100'].map((p) => a.percentiles[p])]
  assert.deepEqual(rows[2].slice(4).map(Number), expected.map((v: number) => Math.round(v * 1e6) / 1e6))
  assert.deepEqual(rows[1].slice(2), rows[2].slice(2), 'one endpoint: its row is the Aggregated row')
  assert.ok(a.minMs <= a.medianMs && a.medianMs <= a.percentiles['99'] && a.percentiles['99'] <= a.maxMs, JSON.stringify(a))
  const hist = history.trim().split('\r\n').slice(1)
  assert.ok(hist.length >= 2, 'one history row per second')
  for (const line of hist) assert.equal(line.split(',').length, 24)
  assert.match(failures, /^POST,\/score,HTTPError\('503 Server Error: Service Unavailable for url: http:\/\/127\.0\.0\.1:\d+\/score'\),\d+\r$/m)

  assert.equal(json.version, LOAD_RESULT_VERSION)
  assert.equal(json.tool, 'floodgate')
  assert.equal(json.interrupted, false)
  assert.equal(json.config.users, 4)
  assert.equal(json.config.wait, 'between:0.01,0.02')
  for (const key of ['startedAt', 'endedAt', 'durationSec', 'endpoints', 'aggregated', 'statusCounts', 'history', 'errors', 'exceptions', 'dropped', 'generator', 'histograms']) {
    assert.ok(key in json, key)
  }
  assert.deepEqual(Object.keys(json.aggregated.percentiles).map(Number).sort((a, b) => a - b), [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100])
  assert.equal(decodeHistogram(json.histograms.Aggregated).totalCount, json.aggregated.requests)
  assert.equal(json.statusCounts['503'], json.aggregated.failures)
  assert.ok(json.generator.rssMaxBytes > 0)

  const html = readFileSync(`${prefix}.html`, 'utf8')
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'no external resources')
  assert.match(html, /echarts/)
  assert.match(html, /Request statistics/)
  assert.match(html, /Response time percentiles/)
  assert.match(html, /HTTPError\(&#39;503 Server Error/)
  assert.match(html, /Requests\/s and failures\/s/)
  assert.match(html, /Users and requests in flight/)
  assert.match(r.stdout, /Response time percentiles/)
  assert.match(r.stdout, /Aggregated/)
})

test('CSV cells are quoted as Python csv does: only when they hold a comma, quote or newline', async () => {
  const { failuresCsv } = await import('../../../src/report/load/csv.js')
  const text = failuresCsv({
    errors: [{ method: 'GET', name: '/', kind: 'refused', error: "ConnectionRefusedError(111, 'Connection refused')", occurrences: 3 },
      { method: 'GET', name: '/"q"', kind: 'other', error: 'a\nb', occurrences: 1 }]
  } as never)
  assert.equal(text, 'Method,Name,Error,Occurrences\r\nGET,/,"ConnectionRefusedError(111, \'Connection refused\')",3\r\nGET,"/""q""","a\nb",1\r\n')
})
