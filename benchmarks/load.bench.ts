// floodgate load vs autocannon and Locust on the same trivial loopback server, plus 10,000 users,
// latency accuracy (a 100 ms server) and an open-loop stall. Servers run in their own process so the
// generator under test has the event loop to itself; every figure is from this run (noisy when other
// work shares the machine).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { emit, median, round, type Metric } from './report.js'
import type { LoadResult } from '../src/load/result.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'floodgate-load-bench-'))
const SECONDS = Number(process.env.LOAD_BENCH_SECONDS ?? 10)
const ROUNDS = Number(process.env.LOAD_BENCH_ROUNDS ?? 3)
/** LOAD_BENCH_ONLY=autocannon runs only the comparison with autocannon (50, 200, 1,000 connections). */
const ONLY = process.env.LOAD_BENCH_ONLY
const metrics: Metric[] = []
const children: ChildProcess[] = []
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(tmp, { recursive: true, force: true })
})

/** mode: "fast" answers at once; "delay:MS" after MS; "stall:AT_MS:FOR_MS" freezes once. */
const SERVER = `
const http = require('node:http')
const [kind, a, b] = process.argv[1].split(':')
let stallDone = false, stalled = false, pending = []
const t0 = Date.now()
const s = http.createServer((req, res) => {
  req.resume()
  if (kind === 'delay') return setTimeout(() => res.end('ok'), Number(a))
  if (kind === 'stall') {
    if (!stallDone && Date.now() - t0 >= Number(a)) {
      stallDone = stalled = true
      setTimeout(() => { stalled = false; pending.splice(0).forEach((f) => f()) }, Number(b))
    }
    if (stalled) return pending.push(() => res.end('late'))
  }
  res.end('hello world')
})
s.keepAliveTimeout = 120000
s.maxConnections = 20000
s.listen(0, '127.0.0.1', () => console.log(s.address().port))
`

async function startServer(mode: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER, mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const port = await new Promise<string>((done) => child.stdout?.once('data', (d: Buffer) => done(d.toString().trim())))
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGKILL') }
}


function floodgate(args: string[]): LoadResult {
  const json = join(tmp, `r${Date.now()}.json`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/cli-entry.ts'), 'load', ...args, '--json', json, '--quiet'],
    { cwd: root, encoding: 'utf8', timeout: 300_000 })
  if (r.status !== 0) throw new Error(`floodgate load failed (${r.status}): ${r.stderr}`)
  return JSON.parse(readFileSync(json, 'utf8'))
}

function autocannon(url: string, connections: number): number {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/autocannon/autocannon.js'), '-c', String(connections), '-d', String(SECONDS), '-j', url],
    { encoding: 'utf8', timeout: 120_000 })
  const out = JSON.parse(r.stdout) as { requests: { total: number }; duration: number }
  return out.requests.total / out.duration
}

function locustAvailable(): boolean {
  if (spawnSync('locust', ['--version']).status === 0) return true
  if (process.getuid?.() !== 0) return false
  process.stdout.write('locust not on PATH: trying apt-get install -y python3-locust (3 min at most)\n')
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'python3-locust'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 })
  return r.status === 0 && spawnSync('locust', ['--version']).status === 0
}

function locust(url: string, users: number): number {
  const file = join(tmp, 'locustfile.py')
  writeFileSync(file, 'from locust import HttpUser, task\nclass U(HttpUser):\n    @task\n    def t(self):\n        self.client.get("/")\n')
  const prefix = join(tmp, 'locust')
  spawnSync('locust', ['-f', file, '--headless', '-u', String(users), '-r', String(users), '-t', `${SECONDS}s`, '-H', url.replace(/\/$/, ''),
    '--csv', prefix, '--only-summary'], { encoding: 'utf8', timeout: 120_000 })
  const rows = readFileSync(`${prefix}_stats.csv`, 'utf8').trim().split('\n')
  const agg = rows[rows.length - 1].split(',')
  return Number(agg[9])
}

const fast = await startServer('fast')
for (const c of [50, 200, 1000]) {
  // Interleaved rounds (the two tools alternate, the order flipping each round); the figure is the median of
  // the rounds' ratios: others' load on a shared machine comes and goes, and a round's two runs share it.
  const ratios: number[] = []
  const acs: number[] = []
  const fgs: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const runAc = () => acs.push(autocannon(fast.url, c))
    const runFg = () => fgs.push(floodgate([fast.url, '--users', String(c), '--run-time', `${SECONDS}s`]).aggregated.rps)
    if (i % 2) { runFg(); runAc() } else { runAc(); runFg() }
    ratios.push(fgs[i]! / acs[i]!)
  }
  const ratio = median(ratios)
  process.stdout.write(`${c} connections: autocannon ${acs.map((x) => round(x)).join(', ')} req/s, floodgate ${fgs.map((x) => round(x)).join(', ')} req/s, median ratio ${round(ratio, 3)}\n`)
  metrics.push({ metric: `rps vs autocannon, ${c} connections (median of ${ROUNDS} interleaved rounds)`, value: round(ratio, 3), unit: 'ratio', target: '>= 0.95', pass: ratio >= 0.95 })
  metrics.push({ metric: `floodgate rps, ${c} connections, median (noisy)`, value: round(median(fgs)), unit: 'req/s' })
}
if (ONLY === 'autocannon') {
  fast.stop()
  emit('load', metrics)
  process.exit(0)
}
if (locustAvailable()) {
  const lc = locust(fast.url, 50)
  const fg = floodgate([fast.url, '--users', '50', '--run-time', `${SECONDS}s`]).aggregated.rps
  process.stdout.write(`50 users: locust ${round(lc)} req/s, floodgate ${round(fg)} req/s\n`)
  metrics.push({ metric: 'rps vs Locust (HttpUser), 50 users', value: round(fg / lc, 2), unit: 'ratio', target: '>= 10', pass: fg / lc >= 10 })
} else {
  process.stdout.write('Locust not installed: the Locust comparison was not run\n')
}
fast.stop()

const slow = await startServer('delay:1000')
const many = floodgate([slow.url, '--users', '10000', '--spawn-rate', '2500', '--run-time', '20s', '--wait', 'between:1,2'])
process.stdout.write(`10,000 users: ${round(many.aggregated.rps)} req/s, ${many.aggregated.failures} failures, RSS ${round(many.generator.rssMaxBytes / 1048576)} MiB, CPU avg ${round(many.generator.cpuPercentAvg)}% max ${round(many.generator.cpuPercentMax)}%\n`)
metrics.push({ metric: '10,000 users: generator RSS', value: round(many.generator.rssMaxBytes / 1048576), unit: 'MiB', target: '< 1024', pass: many.generator.rssMaxBytes < 1024 ** 3 })
metrics.push({ metric: '10,000 users: generator CPU avg (% of a core)', value: round(many.generator.cpuPercentAvg), unit: '%' })
metrics.push({ metric: '10,000 users: failures', value: many.aggregated.failures, unit: 'requests', target: '0', pass: many.aggregated.failures === 0 })
slow.stop()

const hundred = await startServer('delay:100')
const acc = floodgate([hundred.url, '--users', '20', '--run-time', `${SECONDS}s`])
const p50 = acc.aggregated.percentiles['50']
const p99 = acc.aggregated.percentiles['99']
process.stdout.write(`100 ms server: p50 ${p50} ms, p99 ${p99} ms\n`)
metrics.push({ metric: '100 ms server: p50', value: p50, unit: 'ms', target: '100 +- 2', pass: Math.abs(p50 - 100) <= 2 })
metrics.push({ metric: '100 ms server: p99', value: p99, unit: 'ms', target: '100 +- 2', pass: Math.abs(p99 - 100) <= 2 })
hundred.stop()

const stall = await startServer('stall:3000:2000')
const open = floodgate([stall.url, '--rate', '200', '--run-time', `${SECONDS}s`])
const openP99 = open.aggregated.percentiles['99']
process.stdout.write(`open loop, one 2 s stall: p50 ${open.aggregated.percentiles['50']} ms, p99 ${openP99} ms\n`)
metrics.push({ metric: 'open loop with one 2 s stall: p99', value: openP99, unit: 'ms', target: '> 1000 (shows the stall)', pass: openP99 > 1000 })
stall.stop()

emit('load', metrics)
