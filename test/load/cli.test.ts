// `floodgate load` as a user runs it: bad input (exit 2 naming the flag), thresholds (exit 99),
// Ctrl-C / SIGTERM (outputs written, marked interrupted), --progress jsonl.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { eachCase, runCli, spawnCli, waitForLine } from '../helpers/cli.js'
import { startServer, unusedPort } from './helpers/server.js'
import { flowDir } from '../flow/helpers/fixture.js'
import { startServer as startServe } from '../../src/serve/server.js'
import type { LoadResult } from '../../src/load/result.js'

const tmp = mkdtempSync(join(tmpdir(), 'floodgate-load-cli-'))
test.after(() => rmSync(tmp, { recursive: true, force: true }))

async function usage(args: string[], message: string): Promise<void> {
  const r = await runCli(['load', ...args])
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.stderr}`)
  assert.equal(r.stderr.trim(), `floodgate: ${message}`)
}

test('bad input: each is a usage error naming the flag', async () => {
  const cases: Array<[string[], string]> = [
    [['not a url'], 'invalid URL "not a url": expected an absolute http:// or https:// URL like http://127.0.0.1:8080/score'],
    [['ftp://127.0.0.1/x'], 'invalid URL "ftp://127.0.0.1/x": only http:// and https:// are supported'],
    [['http://127.0.0.1:1/', '--wait', 'between:2'], 'invalid --wait "between:2": between takes two numbers of seconds, MIN,MAX (e.g. between:1,2)'],
    [['http://127.0.0.1:1/', '--wait', 'soon'], 'invalid --wait "soon": expected between:MIN,MAX, constant:S, throughput:R, pacing:S or none'],
    [['http://127.0.0.1:1/', '--run-time', 'forever'], 'invalid --run-time "forever": expected a duration like 30s, 5m, 1h30m or 90 (seconds)'],
    [['http://127.0.0.1:1/', '--threshold', 'p95=<2000'], 'invalid --threshold "p95=<2000": expected METRIC OP VALUE, e.g. p95<2000, avg<1500, fail_ratio<0.01, rps>=200 (metrics: p50..p100, avg, min, max, med, fail_ratio, rps, failures; streams: ttft_, itl_, tpot_, e2e_, ttfb_ with p50..p100, avg, min, max, and goodput, tokens_per_s; operators: < <= > >= ==)'],
    [['http://127.0.0.1:1/', '--users', '0'], 'invalid --users "0": expected a whole number >= 1'],
    [['http://127.0.0.1:1/', '--header', 'NoColon'], 'invalid --header "NoColon": expected "Name: value"'],
    [['http://127.0.0.1:1/', '--ramp-to', '10'], '--ramp-to needs --rate (it ramps the open-loop rate)'],
    [['http://127.0.0.1:1/', '--progress', 'xml'], 'invalid --progress "xml": the only format is jsonl']
  ]
  await eachCase(cases, ([args, message]) => usage(args, message))
})

test('bad input: body file missing, or not JSON with a JSON content-type', async () => {
  const missing = join(tmp, 'missing.json')
  const bad = join(tmp, 'bad.json')
  writeFileSync(bad, '{"question": ')
  const cases: Array<[string[], string]> = [
    [['http://127.0.0.1:1/', '--body-file', missing], `--body-file ${missing}: file not found`],
    [['http://127.0.0.1:1/', '--body-file', bad, '--header', 'content-type: application/json'],
      `--body-file ${bad}: not valid JSON (content-type is application/json): ${errorOf('{"question": ')}`],
    [['http://127.0.0.1:1/', '--body', 'nope', '--header', 'Content-Type: application/json'],
      `--body: not valid JSON (content-type is application/json): ${errorOf('nope')}`]
  ]
  await eachCase(cases, ([args, message]) => usage(args, message))
})

function errorOf(text: string): string {
  try {
    JSON.parse(text)
    return ''
  } catch (err) {
    return (err as Error).message
  }
}

test('unreachable host: the run completes, every request a failure, exit 0', async () => {
  const port = await unusedPort()
  const json = join(tmp, 'refused.json')
  const r = await runCli(['load', `http://127.0.0.1:${port}/`, '--users', '2', '--run-time', '1s', '--json', json, '--quiet'])
  assert.equal(r.code, 0, r.stderr)
  const result = JSON.parse(readFileSync(json, 'utf8'))
  assert.ok(result.aggregated.requests >= 2)
  assert.equal(result.aggregated.failures, result.aggregated.requests)
  assert.match(r.stdout, /ConnectionRefusedError/)
})

test('thresholds: each printed passed or failed; a failure exits 99', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const r = await runCli(['load', server.url, '--users', '2', '--run-time', '1s', '--quiet',
    '--threshold', 'p95<5000', '--threshold', 'fail_ratio<0.01', '--threshold', 'rps>=1000000'])
  assert.equal(r.code, 99, r.stderr)
  assert.match(r.stdout, /passed {2}p95<5000 {2}\(actual [\d.]+\)/)
  assert.match(r.stdout, /passed {2}fail_ratio<0\.01 {2}\(actual 0\)/)
  assert.match(r.stdout, /FAILED {2}rps>=1000000/)
  assert.equal(r.stderr.trim(), 'floodgate: 1 of 3 threshold(s) failed: rps>=1000000')
  const ok = await runCli(['load', server.url, '--users', '1', '--run-time', '0.5s', '--quiet', '--threshold', 'failures==0'])
  assert.equal(ok.code, 0, ok.stderr)
})

test('SIGINT: users stop, every output is written marked interrupted, exit 130', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const prefix = join(tmp, 'int')
  const child = spawnCli(['load', server.url, '--users', '3', '--run-time', '60s', '--wait', 'constant:0.05',
    '--progress', 'jsonl', '--json', `${prefix}.json`, '--csv', prefix, '--html', `${prefix}.html`])
  t.after(() => child.kill('SIGKILL'))
  await waitForLine(child, /"requests":[1-9]/, 30_000)
  const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  child.kill('SIGINT')
  const code = await closed
  assert.equal(code, 130)
  const result = JSON.parse(readFileSync(`${prefix}.json`, 'utf8'))
  assert.equal(result.interrupted, true)
  assert.ok(result.durationSec < 30)
  assert.equal(result.aggregated.requests, server.count())
  for (const f of ['_stats.csv', '_stats_history.csv', '_failures.csv', '_exceptions.csv']) assert.ok(existsSync(prefix + f), f)
  assert.match(readFileSync(`${prefix}.html`, 'utf8'), /interrupted/)
})

test('SIGTERM with --progress jsonl: stdout is only JSON lines, --json is written', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const json = join(tmp, 'term.json')
  const child = spawnCli(['load', server.url, '--users', '2', '--run-time', '60s', '--wait', 'constant:0.1', '--progress', 'jsonl', '--json', json])
  t.after(() => child.kill('SIGKILL'))
  let stdout = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d))
  await waitForLine(child, /"requests":[1-9][^\n]*\n[^\n]*"requests"/, 30_000)
  const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  child.kill('SIGTERM')
  assert.equal(await closed, 143)
  const lines = stdout.trim().split('\n')
  assert.ok(lines.length >= 2)
  for (const line of lines) {
    const p = JSON.parse(line)
    assert.deepEqual(Object.keys(p), ['t', 'elapsedSec', 'totalSec', 'users', 'rps', 'p50', 'p95', 'failures', 'requests'])
    assert.equal(p.totalSec, 60)
  }
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).interrupted, true)
})

test("a server refusing most requests with 503: the live line and the summary say so and point at the server's --threads", async (t) => {
  // The new user: a two-node flow with one sync node, served with the defaults, 50 users without waiting.
  const dir = await flowDir(t, {
    'flow.dag.yaml': 'inputs:\n  q: {type: string, default: hi}\noutputs:\n  answer: {type: string, reference: "${answer.output}"}\nnodes:\n' +
      '- name: check\n  type: typescript\n  source: {type: code, path: check.ts}\n  inputs: {q: "${inputs.q}"}\n' +
      '- name: answer\n  type: typescript\n  source: {type: code, path: answer.ts}\n  inputs: {checked: "${check.output}"}\n',
    'check.ts': "import { sleepSync } from 'floodgate/tools'\nexport default function check({ q }: { q: string }): string { sleepSync(200); return q }\n",
    'answer.ts': 'export default async function answer({ checked }: { checked: string }): Promise<string> { return `ok ${checked}` }\n'
  })
  const server = await startServe({ flowDir: dir, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) })
  t.after(() => server.close())
  const json = join(tmp, 'refused-503.json')
  const r = await runCli(['load', `${server.url}/score`, '--body', '{}', '--users', '50', '--run-time', '3s', '--json', json], { timeoutMs: 60_000 })
  assert.equal(r.code, 0, r.stderr)
  const result = JSON.parse(readFileSync(json, 'utf8')) as LoadResult
  const refused = result.statusCounts['503']!
  assert.ok(refused > result.aggregated.requests / 2, `most requests refused: ${refused} of ${result.aggregated.requests}`)
  assert.match(r.stdout, /^\[ *\d+s\/3s\] users \d+ \| reqs \d+ fails \d+ \([\d.]+%\), [\d.]+% refused with 503 \(server at capacity: see its --threads\/--max-concurrency\) \|/m)
  const share = ((refused / result.aggregated.requests) * 100).toFixed(1)
  assert.ok(r.stdout.includes(`\n${share}% refused with 503 (server at capacity): ${refused} of ${result.aggregated.requests} requests were answered at once ` +
    'because the server was already running all it admits. If it is floodgate serve, each worker runs --threads runs with sync tools at once'), r.stdout)
})
