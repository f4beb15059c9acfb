// floodgate serve, measured against a baseline in the same run (figures on a shared 2-core machine are
// noisy; the ratios are what count).
// (1) overhead: a one-node constant async flow served with --workers 1 vs a bare fastify route answering
//     the same JSON, same autocannon settings, interleaved rounds, best round of each. Target >= 0.70.
// (1b) tracing: the same flow served with --trace to an OTLP/HTTP collector on loopback (a node http
//     server that reads each export, counts its spans and answers 200, as a collector's receiver does
//     before its pipeline), once with OTLP's default encoding, protobuf, and once with
//     --trace-protocol http/json, interleaved with the untraced server in the same rounds. Target: the
//     default (protobuf) >= 0.90 of the untraced req/s. Also the tracing thread's own CPU per exported
//     span for each encoding (the process's nice-19 thread, /proc/<pid>/task/*/schedstat).
// (2) scale: the study's static_async flow against a loopback mock that waits 1.0 s, 10,000 closed-loop
//     connections with no wait (autocannon). Ideal: 10,000 / 1.25 s = 8,000 req/s. Targets: >= 75% of
//     ideal, zero errors, p99 < 1.6 s, RSS < 300 MiB per worker.
// The scale run is driven by autocannon and then by Floodgate's own load generator (closed-loop users,
// no wait), each against a fresh server; then the stack's floor: the same flow written by hand on
// fastify and undici (bare-flow-server.mjs), driven by Floodgate's generator, and Floodgate over it.
// Env: SERVE_BENCH_CONNECTIONS (default 10000), SERVE_BENCH_SECONDS (default 20), SERVE_BENCH_WORKERS
// (default: one per core) for the scale run; SERVE_BENCH_ONLY=overhead or scale runs one part;
// SERVE_BENCH_NODE_FLAGS adds node flags to the served process and its workers (e.g.
// --heap-growing-percent=100, the memory-for-CPU trade in README).
// A/B of the scale run in one command (interleaved rounds, medians; see scaleAb): SERVE_BENCH_AB_FLAGS
// (node flags of B only), SERVE_BENCH_AB_WORKERS (B's worker count), SERVE_BENCH_AB_BASE (a built
// checkout served as A), SERVE_BENCH_AB_BARE=1 (B is benchmarks/bare-flow-server.mjs, the flow written by
// hand on fastify and undici: the stack's floor), SERVE_BENCH_ROUNDS (default 3), SERVE_BENCH_GENERATOR
// (autocannon or 'floodgate load'). E.g. SERVE_BENCH_ONLY=scale SERVE_BENCH_AB_FLAGS='--max-semi-space-size=32' npm run bench:perf -- serve
// Every scale run prints req/s and % of ideal, p50/p99, errors, peak RSS per worker, and the CPU per
// request of server (with its GC pauses), mock and generator, which share the cores.
// Floodgate runs as users run it: bin/floodgate.js on the build (`npm run bench:perf` builds first).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { emit, median, round, type Metric } from './report.js'
import { waitForLine, repoRoot } from '../test/helpers/cli.js'

// autocannon ships no type declarations: the part used here, typed locally.
interface Histogram { average: number; total: number; p50: number; p99: number }
interface Result { requests: Histogram; latency: Histogram; errors: number; timeouts: number; non2xx: number }
interface LoadOptions { url: string; method: string; headers: Record<string, string>; body: string; connections: number; duration: number; timeout: number }
const autocannon = createRequire(import.meta.url)('autocannon') as (options: LoadOptions) => Promise<Result>

const READY = /listening on (http:\/\/\S+)/
const BODY = JSON.stringify({ question: 'Test question', chat_history: [] })

interface Proc { child: ChildProcess; url: string }

function drain(child: ChildProcess): void {
  child.stdout?.resume()
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(d))
}

const NODE_FLAGS = (process.env.SERVE_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)

/** A node child run with `args` that prints `listening on <url>` when ready. */
async function startNode(args: string[], env: Record<string, string>, readyMs: number): Promise<Proc> {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const m = await waitForLine(child, READY, readyMs)
  drain(child)
  return { child, url: m[1] }
}

function startFloodgate(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  return startNode([...NODE_FLAGS, 'bin/floodgate.js', 'serve', ...args, '--port', '0', '--log-level', 'warn'], env, 60_000)
}

/** A child running an inline ES module that prints `listening on <url>` when ready. */
function startScript(source: string, env: Record<string, string> = {}): Promise<Proc> {
  return startNode(['--input-type=module', '-e', source], env, 30_000)
}

const BARE_FASTIFY = `
import Fastify from 'fastify'
const app = Fastify({ logger: false })
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'string' }, (_r, body, done) => done(null, body))
app.post('/score', async (request) => { JSON.parse(request.body); return { answer: 'completed' } })
const url = await app.listen({ host: '127.0.0.1', port: 0 })
console.log('listening on ' + url)
`

const MOCK = `
import { createServer } from 'node:http'
const server = createServer((_req, res) => setTimeout(() => {
  res.setHeader('content-type', 'application/json')
  res.end('{"total_time_sec":1.0,"min_wait_time_sec":1.0,"max_wait_time_sec":1.0}')
}, 1000))
server.keepAliveTimeout = 120000
server.headersTimeout = 121000
server.listen({ host: '127.0.0.1', port: 0, backlog: 8192 }, () => console.log('listening on http://127.0.0.1:' + server.address().port + '/'))
`

function stop(p: Proc): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve()
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 40_000)
    p.child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    p.child.kill('SIGTERM')
  })
}

function load(url: string, connections: number, seconds: number): Promise<Result> {
  return autocannon({
    url: `${url}/score`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    connections,
    duration: seconds,
    timeout: 30
  })
}

function errorsOf(r: Result): number {
  return r.errors + r.timeouts + r.non2xx
}

// Takes OTLP/HTTP exports and answers 200 at once; counts the spans it got (GET /count). Protobuf is
// walked, not decoded: ExportTraceServiceRequest field 1 (ResourceSpans), its field 2 (ScopeSpans), its
// field 2 (Span).
const COLLECTOR = `
import { createServer } from 'node:http'
import protobuf from 'protobufjs'
let spans = 0
function count(buf, path) {
  const r = protobuf.Reader.create(buf)
  let n = 0
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag >>> 3 === path[0] && (tag & 7) === 2) {
      const inner = r.bytes()
      n += path.length === 1 ? 1 : count(inner, path.slice(1))
    } else r.skipType(tag & 7)
  }
  return n
}
const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (d) => chunks.push(d)).on('end', () => {
    if (req.method === 'GET') return res.end(String(spans))
    const body = Buffer.concat(chunks)
    if (req.headers['content-type'] === 'application/x-protobuf') {
      spans += count(body, [1, 2, 2])
      return res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
    }
    spans += body.toString('utf8').split('"spanId"').length - 1
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
})
server.listen({ host: '127.0.0.1', port: 0 }, () => console.log('listening on http://127.0.0.1:' + server.address().port))
`

/** A traced server in the overhead rounds: one per OTLP encoding, each with its own collector. */
interface Traced {
  label: string
  proc: Proc
  collector: Proc
  ratios: number[]
  best: number
  cpu: number
  errors: number
  /** Its tracing thread's CPU (ns) when the rounds began. */
  threadCpuStart: number
}

async function startTraced(flow: string, label: string, protocol: string): Promise<Traced> {
  const collector = await startScript(COLLECTOR)
  const proc = await startFloodgate([flow, '--workers', '1', '--trace', `otlp=${collector.url}`, '--trace-protocol', protocol])
  return { label, proc, collector, ratios: [], best: 0, cpu: Infinity, errors: 0, threadCpuStart: 0 }
}

async function overhead(): Promise<Metric[]> {
  const flow = fileURLToPath(new URL('../test/serve/fixtures/constant', import.meta.url))
  const fg = await startFloodgate([flow, '--workers', '1'])
  const traced = [await startTraced(flow, 'protobuf', 'http/protobuf'), await startTraced(flow, 'json', 'http/json')]
  const bare = await startScript(BARE_FASTIFY)
  try {
    const connections = 50
    const seconds = 5
    await load(fg.url, connections, 2)
    for (const t of traced) await load(t.proc.url, connections, 2)
    await load(bare.url, connections, 2)
    let bestFg = 0
    let bestBare = 0
    let fgErrors = 0
    // CPU per request is steadier than req/s when other work shares the cores: it is reported beside it.
    let fgCpu = Infinity
    let bareCpu = Infinity
    const spansBefore = await Promise.all(traced.map((t) => traceCounts(t.proc.url, t.collector.url, 0)))
    for (const t of traced) t.threadCpuStart = tracingThreadCpu(t.proc.child.pid ?? 0)
    for (let round = 0; round < 3; round++) {
      const b = await measured(bare, connections, seconds)
      const f = await measured(fg, connections, seconds)
      fgErrors += errorsOf(f.result)
      bestBare = Math.max(bestBare, b.result.requests.average)
      bestFg = Math.max(bestFg, f.result.requests.average)
      bareCpu = Math.min(bareCpu, b.cpuPerRequest)
      fgCpu = Math.min(fgCpu, f.cpuPerRequest)
      let line = `overhead round ${round + 1}: bare fastify ${round1(b.result.requests.average)} req/s (${round1(b.cpuPerRequest)} us CPU/req), ` +
        `floodgate ${round1(f.result.requests.average)} req/s (${round1(f.cpuPerRequest)} us CPU/req: ${f.threads}, p99 ${f.result.latency.p99} ms)`
      for (const t of traced) {
        const tr = await measured(t.proc, connections, seconds)
        t.errors += errorsOf(tr.result)
        t.best = Math.max(t.best, tr.result.requests.average)
        t.ratios.push(tr.result.requests.average / f.result.requests.average)
        t.cpu = Math.min(t.cpu, tr.cpuPerRequest)
        line += `, --trace ${t.label} ${round1(tr.result.requests.average)} req/s (${round1(tr.cpuPerRequest)} us CPU/req: ${tr.threads}, p99 ${tr.result.latency.p99} ms)`
      }
      process.stdout.write(`${line}\n`)
    }
    const ratio = bestFg / bestBare
    const metrics: Metric[] = [
      { metric: 'overhead: floodgate serve req/s (1 worker, constant flow)', value: round(bestFg, 0), unit: 'req/s' },
      { metric: 'overhead: bare fastify req/s (same JSON)', value: round(bestBare, 0), unit: 'req/s' },
      { metric: 'overhead: floodgate / bare fastify', value: round(ratio, 3), unit: 'ratio', target: '>= 0.70', pass: ratio >= 0.7 },
      { metric: 'overhead: floodgate server CPU per request', value: round1(fgCpu), unit: 'us' },
      { metric: 'overhead: bare fastify CPU per request', value: round1(bareCpu), unit: 'us' },
      { metric: 'overhead: bare / floodgate CPU per request (noise-resistant)', value: round(bareCpu / fgCpu, 3), unit: 'ratio', target: '>= 0.70', pass: bareCpu / fgCpu >= 0.7 },
      { metric: 'overhead: errors', value: fgErrors, unit: 'count', target: '0', pass: fgErrors === 0 }
    ]
    for (const [i, t] of traced.entries()) {
      // Counted once the thread has caught up: its CPU then covers every span it exported.
      const spans = await traceCounts(t.proc.url, t.collector.url)
      const threadCpu = tracingThreadCpu(t.proc.child.pid ?? 0) - t.threadCpuStart
      const exported = spans.exported - spansBefore[i]!.exported
      const perSpan = exported > 0 ? threadCpu / 1000 / exported : NaN
      const tracedRatio = median(t.ratios)
      process.stdout.write(
        `tracing (${t.label}): rounds ${t.ratios.map((r) => round(r, 3)).join(', ')}; spans exported ${spans.exported}, failed ${spans.failed}, dropped ${spans.dropped} ` +
          `(${round1((100 * spans.dropped) / Math.max(1, spans.exported + spans.dropped + spans.failed))}%); the collector counted ${spans.received}; ` +
          `tracing thread ${round1(perSpan)} us CPU per exported span\n`
      )
      const name = `tracing ${t.label}`
      metrics.push(
        { metric: `${name}: floodgate serve --trace req/s (collector on loopback)`, value: round(t.best, 0), unit: 'req/s' },
        { metric: `${name}: --trace / untraced req/s (median of interleaved rounds)`, value: round(tracedRatio, 3), unit: 'ratio', ...(t.label === 'protobuf' ? { target: '>= 0.90', pass: tracedRatio >= 0.9 } : {}) },
        { metric: `${name}: server CPU per request (incl. tracing thread)`, value: round1(t.cpu), unit: 'us' },
        { metric: `${name}: tracing thread CPU per exported span`, value: round(perSpan, 2), unit: 'us' },
        { metric: `${name}: spans dropped or failed`, value: spans.dropped + spans.failed, unit: 'count' },
        { metric: `${name}: spans the collector got / exported`, value: round(spans.received / Math.max(1, spans.exported), 3), unit: 'ratio', target: '1', pass: spans.received === spans.exported },
        { metric: `${name}: errors`, value: t.errors, unit: 'count', target: '0', pass: t.errors === 0 }
      )
    }
    return metrics
  } finally {
    await stop(fg)
    for (const t of traced) {
      await stop(t.proc)
      await stop(t.collector)
    }
    await stop(bare)
  }
}

/** The traced server's span counts (/metrics, once its tracing thread has caught up) and the collector's. */
async function traceCounts(server: string, collector: string, settleMs = 1500): Promise<{ exported: number; failed: number; dropped: number; received: number }> {
  await new Promise((resolve) => setTimeout(resolve, settleMs))
  const text = await (await fetch(`${server}/metrics`)).text()
  const count = (outcome: string): number => Number(new RegExp(`^floodgate_trace_spans_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN)
  const received = Number(await (await fetch(`${collector}/count`)).text())
  return { exported: count('exported'), failed: count('failed'), dropped: count('dropped'), received }
}

/** A process's CPU (ns on a CPU, schedstat) by thread: main, tracing, the rest (V8's GC and compiler helpers, libuv). */
interface ThreadCpu { main: number; tracing: number; other: number }

/**
 * The tracing thread is the one thread at nice 19 (exporter-thread.ts lowers its own priority; nothing
 * else in the server does); the main thread's id is the process's.
 */
function threadCpu(pid: number): ThreadCpu {
  const cpu: ThreadCpu = { main: 0, tracing: 0, other: 0 }
  let tids: string[] = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return cpu
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
      if (tid === String(pid)) cpu.main += ns
      else if (Number(stat[16]) === 19) cpu.tracing += ns
      else cpu.other += ns
    } catch {
      // the thread ended
    }
  }
  return cpu
}

function tracingThreadCpu(pid: number): number {
  return threadCpu(pid).tracing
}

/** CPU per request (us) by thread, as text. */
function threadsText(before: ThreadCpu, after: ThreadCpu, requests: number): string {
  const per = (k: keyof ThreadCpu): number => round1((after[k] - before[k]) / 1000 / Math.max(1, requests))
  return `main ${per('main')} + tracing ${per('tracing')} + other threads ${per('other')}`
}

async function measured(target: Proc, connections: number, seconds: number): Promise<{ result: Result; cpuPerRequest: number; threads: string }> {
  const pid = target.child.pid ?? 0
  const before = cpuMicros(pid)
  const threadsBefore = threadCpu(pid)
  const result = await load(target.url, connections, seconds)
  const requests = result.requests.total
  return { result, cpuPerRequest: requests > 0 ? (cpuMicros(pid) - before) / requests : 0, threads: threadsText(threadsBefore, threadCpu(pid), requests) }
}

function round1(n: number): number {
  return round(n, 1)
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0)
  } catch {
    return []
  }
}

/** CPU time (user + system) a process has used, in microseconds. */
function cpuMicros(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / CLOCK_TICKS)
  } catch {
    return 0
  }
}
const CLOCK_TICKS = 100

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : 0
  } catch {
    return 0
  }
}

/** What one scale run measured, whichever generator drove it. */
interface ScaleLoad {
  rps: number
  requests: number
  p50: number
  p99: number
  errors: number
  errorText: string
  /** The generator's CPU (user + system) in microseconds. */
  generatorCpu: number
}

type Generator = 'autocannon' | 'floodgate load'

async function autocannonLoad(url: string, connections: number, seconds: number): Promise<ScaleLoad> {
  const before = process.cpuUsage()
  const r = await load(url, connections, seconds)
  const used = process.cpuUsage(before)
  return {
    rps: r.requests.average,
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: errorsOf(r),
    errorText: `errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`,
    generatorCpu: used.user + used.system
  }
}

interface LoadJson {
  aggregated: { requests: number; failures: number; rps: number; medianMs: number; percentiles: Record<string, number> }
  generator: { cpuPercentAvg: number }
}

async function floodgateLoad(url: string, users: number, seconds: number): Promise<ScaleLoad> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-serve-bench-'))
  try {
    const file = join(dir, 'load.json')
    const args = ['bin/floodgate.js', 'load', `${url}/score`, '--method', 'POST', '--body', BODY, '--users', String(users), '--run-time', `${seconds}s`, '--timeout', '30', '--quiet', '--json', file]
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] })
    drain(child)
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    if (code !== 0) throw new Error(`floodgate load exited with ${code}`)
    const r = JSON.parse(readFileSync(file, 'utf8')) as LoadJson
    const a = r.aggregated
    return {
      rps: a.rps,
      requests: a.requests,
      p50: a.medianMs,
      p99: a.percentiles['99'] ?? 0,
      errors: a.failures,
      errorText: `failures ${a.failures}`,
      generatorCpu: (r.generator.cpuPercentAvg / 100) * seconds * 1e6
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** How one scale run serves: node flags of the served process (and its workers), build, worker count. */
interface Variant {
  name: string
  flags: string[]
  /** The checkout whose bin/floodgate.js, dist and examples are served. */
  root: string
  workers: number
  /** Serves benchmarks/bare-flow-server.mjs (the flow by hand on the same stack) instead of Floodgate. */
  bare?: boolean
}

/** What one scale run measured. */
interface ScaleFigures {
  rps: number
  p50: number
  p99: number
  errors: number
  errorText: string
  peakRss: number
  /** CPU microseconds per request of the served processes (all workers), the mock and the generator. */
  serverCpu: number
  mockCpu: number
  generatorCpu: number
  /** The workers' main-thread GC pauses (prom-client's nodejs_gc_duration_seconds), us per request. */
  gcPause: number
}

/** The workers' summed GC pause seconds, from the server's /metrics (NaN when it cannot be read or has none: the floor). */
async function gcSeconds(url: string): Promise<number> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text()
    const sums = [...text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)/gm)].map((m) => Number(m[1]))
    return sums.length === 0 ? NaN : sums.reduce((a, b) => a + b, 0)
  } catch {
    return NaN
  }
}

async function scaleRun(variant: Variant, generator: Generator, connections: number, seconds: number): Promise<ScaleFigures> {
  const drive = generator === 'autocannon' ? autocannonLoad : floodgateLoad
  const mock = await startScript(MOCK)
  const flow = join(variant.root, 'examples/promptflow-serve/static_async')
  const args = variant.bare
    ? [...variant.flags, join(repoRoot, 'benchmarks/bare-flow-server.mjs')]
    : [...variant.flags, join(variant.root, 'bin/floodgate.js'), 'serve', flow, '--workers', String(variant.workers), '--port', '0', '--log-level', 'warn']
  const env: Record<string, string> = variant.bare ? { MOCK_API_ENDPOINT: mock.url, BARE_WORKERS: String(variant.workers) } : { MOCK_API_ENDPOINT: mock.url }
  const fg = await startNode(args, env, 60_000)
  let peakRss = 0
  const sampler = setInterval(() => {
    for (const pid of childPids(fg.child.pid ?? 0)) peakRss = Math.max(peakRss, rssMiB(pid))
  }, 500)
  try {
    // Warm up JIT and connection pools with a short, smaller run.
    await drive(fg.url, Math.min(connections, 500), 3)
    peakRss = 0
    const workerPids = childPids(fg.child.pid ?? 0)
    const gcBefore = await gcSeconds(fg.url)
    const cpuBefore = workerPids.reduce((sum, pid) => sum + cpuMicros(pid), 0)
    const mockBefore = cpuMicros(mock.child.pid ?? 0)
    const r = await drive(fg.url, connections, seconds)
    const n = Math.max(1, r.requests)
    const serverCpu = (workerPids.reduce((sum, pid) => sum + cpuMicros(pid), 0) - cpuBefore) / n
    const mockCpu = (cpuMicros(mock.child.pid ?? 0) - mockBefore) / n
    const gcPause = ((await gcSeconds(fg.url)) - gcBefore) * 1e6 / n
    return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, errorText: r.errorText, peakRss, serverCpu, mockCpu, generatorCpu: r.generatorCpu / n, gcPause }
  } finally {
    clearInterval(sampler)
    await stop(fg)
    await stop(mock)
  }
}

function describe(f: ScaleFigures, ideal: number): string {
  const cores = availableParallelism()
  return (
    `${round1(f.rps)} req/s (${round1((100 * f.rps) / ideal)}% of ${ideal}), p50 ${round1(f.p50)} ms, p99 ${round1(f.p99)} ms, ${f.errorText}, ` +
    `peak worker RSS ${round1(f.peakRss)} MiB; CPU per request: server ${round1(f.serverCpu)} us ` +
    `(GC pauses ${Number.isFinite(f.gcPause) ? `${round1(f.gcPause)} us, ${round1((100 * f.gcPause) / f.serverCpu)}%` : 'not read'}), mock ${round1(f.mockCpu)} us, generator ${round1(f.generatorCpu)} us ` +
    `(all share ${cores} cores: at most ${round1((cores * 1e6) / (f.serverCpu + f.mockCpu + f.generatorCpu))} req/s)`
  )
}

/** Each figure's median over rounds. */
function medians(runs: ScaleFigures[]): ScaleFigures {
  const m = (pick: (f: ScaleFigures) => number): number => median(runs.map(pick))
  const errors = runs.reduce((sum, f) => sum + f.errors, 0)
  return {
    rps: m((f) => f.rps), p50: m((f) => f.p50), p99: m((f) => f.p99), errors, errorText: `errors (all rounds) ${errors}`,
    peakRss: m((f) => f.peakRss), serverCpu: m((f) => f.serverCpu), mockCpu: m((f) => f.mockCpu), generatorCpu: m((f) => f.generatorCpu), gcPause: m((f) => f.gcPause)
  }
}

const CONNECTIONS = Number(process.env.SERVE_BENCH_CONNECTIONS ?? 10_000)
const SECONDS = Number(process.env.SERVE_BENCH_SECONDS ?? 20)
const WORKERS = Number(process.env.SERVE_BENCH_WORKERS ?? availableParallelism())

async function scale(generator: Generator): Promise<{ metrics: Metric[]; figures: ScaleFigures }> {
  const ideal = CONNECTIONS / 1.25
  const variant: Variant = { name: 'this build', flags: NODE_FLAGS, root: repoRoot, workers: WORKERS }
  const f = await scaleRun(variant, generator, CONNECTIONS, SECONDS)
  const by = `(${generator})`
  process.stdout.write(`scale ${by}: ${CONNECTIONS} connections, ${SECONDS} s, ${WORKERS} workers: ${describe(f, ideal)}\n`)
  const metrics: Metric[] = [
    { metric: `scale ${by}: req/s (${CONNECTIONS} conns, static_async, ${WORKERS} workers)`, value: round(f.rps, 0), unit: 'req/s' },
    { metric: `scale ${by}: fraction of ideal (conns / 1.25 s)`, value: round(f.rps / ideal, 3), unit: 'ratio', target: '>= 0.75', pass: f.rps / ideal >= 0.75 },
    { metric: `scale ${by}: p50 latency`, value: round1(f.p50), unit: 'ms' },
    { metric: `scale ${by}: p99 latency`, value: round1(f.p99), unit: 'ms', target: '< 1600', pass: f.p99 < 1600 },
    { metric: `scale ${by}: errors`, value: f.errors, unit: 'count', target: '0', pass: f.errors === 0 },
    { metric: `scale ${by}: server CPU per request (all workers)`, value: round1(f.serverCpu), unit: 'us' },
    { metric: `scale ${by}: server GC pauses per request`, value: round1(f.gcPause), unit: 'us' },
    { metric: `scale ${by}: mock CPU per request`, value: round1(f.mockCpu), unit: 'us' },
    { metric: `scale ${by}: generator CPU per request`, value: round1(f.generatorCpu), unit: 'us' },
    { metric: `scale ${by}: peak RSS per worker`, value: round1(f.peakRss), unit: 'MiB', target: '< 300', pass: f.peakRss > 0 && f.peakRss < 300 }
  ]
  return { metrics, figures: f }
}

/**
 * The stack's floor, measured right after Floodgate's `floodgate load` run: the same flow written by hand
 * on fastify and undici (benchmarks/bare-flow-server.mjs), the same workers, mock and generator. What
 * it reaches no server built on that stack reaches on this machine; Floodgate's figures over it are
 * what Floodgate itself costs.
 */
async function scaleFloor(floodgate: ScaleFigures): Promise<Metric[]> {
  const ideal = CONNECTIONS / 1.25
  const variant: Variant = { name: 'floor', flags: NODE_FLAGS, root: repoRoot, workers: WORKERS, bare: true }
  const f = await scaleRun(variant, 'floodgate load', CONNECTIONS, SECONDS)
  process.stdout.write(`scale floor (the flow by hand on fastify + undici, floodgate load): ${describe(f, ideal)}\n`)
  return [
    { metric: 'scale floor (by hand on fastify + undici): req/s', value: round(f.rps, 0), unit: 'req/s' },
    { metric: 'scale floor: fraction of ideal', value: round(f.rps / ideal, 3), unit: 'ratio' },
    { metric: 'scale floor: p99 latency', value: round1(f.p99), unit: 'ms' },
    { metric: 'scale floor: errors', value: f.errors, unit: 'count', target: '0', pass: f.errors === 0 },
    { metric: 'scale floor: server CPU per request (all workers)', value: round1(f.serverCpu), unit: 'us' },
    { metric: 'scale floor: peak RSS per worker', value: round1(f.peakRss), unit: 'MiB' },
    { metric: 'scale: Floodgate / floor req/s (floodgate load)', value: round(floodgate.rps / f.rps, 3), unit: 'ratio' },
    { metric: 'scale: Floodgate - floor server CPU per request', value: round1(floodgate.serverCpu - f.serverCpu), unit: 'us' }
  ]
}

async function scaleAll(): Promise<Metric[]> {
  const byAutocannon = await scale('autocannon')
  const byFloodgate = await scale('floodgate load')
  return [...byAutocannon.metrics, ...byFloodgate.metrics, ...(await scaleFloor(byFloodgate.figures))]
}

/**
 * An A/B of the scale run in one command: variant A serves as the plain run does; B adds
 * SERVE_BENCH_AB_FLAGS to the node flags, runs SERVE_BENCH_AB_WORKERS workers, or serves the build in
 * SERVE_BENCH_AB_BASE as A instead (a checkout of the code before a change, built: A is then the old
 * code, B this one). SERVE_BENCH_ROUNDS interleaved rounds (A B, then B A, ...), medians; one generator
 * (SERVE_BENCH_GENERATOR, autocannon unless `floodgate load`).
 */
async function scaleAb(): Promise<Metric[]> {
  const rounds = Number(process.env.SERVE_BENCH_ROUNDS ?? 3)
  const generator: Generator = process.env.SERVE_BENCH_GENERATOR === 'floodgate load' ? 'floodgate load' : 'autocannon'
  const abFlags = (process.env.SERVE_BENCH_AB_FLAGS ?? '').split(' ').filter(Boolean)
  const base = process.env.SERVE_BENCH_AB_BASE
  const a: Variant = { name: base ? `A (${base})` : 'A', flags: NODE_FLAGS, root: base ?? repoRoot, workers: WORKERS }
  const bWorkers = Number(process.env.SERVE_BENCH_AB_WORKERS ?? WORKERS)
  const bare = process.env.SERVE_BENCH_AB_BARE === '1'
  const b: Variant = { name: `B (${[bare ? 'the flow by hand on the same stack' : '', base ? 'this build' : '', ...abFlags, bWorkers !== WORKERS ? `${bWorkers} workers` : ''].filter(Boolean).join(' ')})`, flags: [...NODE_FLAGS, ...abFlags], root: repoRoot, workers: bWorkers, bare }
  const ideal = CONNECTIONS / 1.25
  process.stdout.write(`scale A/B (${generator}): ${CONNECTIONS} connections, ${SECONDS} s, ${rounds} interleaved rounds; A = ${a.name}, ${a.workers} workers, flags [${a.flags.join(' ')}]; B = ${b.name}, flags [${b.flags.join(' ')}]\n`)
  // A first run warms the generator (autocannon runs in this process, and its first run at 10,000
  // connections costs it nearly twice the CPU per request of later ones): without it round 1's first
  // variant would be measured against a cold generator. Its figures are printed, not counted.
  const warm = await scaleRun(a, generator, CONNECTIONS, Math.max(5, SECONDS / 2))
  process.stdout.write(`warm-up run (not counted) ${a.name}: ${describe(warm, ideal)}\n`)
  const runs = new Map<Variant, ScaleFigures[]>([[a, []], [b, []]])
  for (let i = 0; i < rounds; i++) {
    for (const v of i % 2 === 0 ? [a, b] : [b, a]) {
      const f = await scaleRun(v, generator, CONNECTIONS, SECONDS)
      runs.get(v)!.push(f)
      process.stdout.write(`round ${i + 1} ${v.name}: ${describe(f, ideal)}\n`)
    }
  }
  const ma = medians(runs.get(a)!)
  const mb = medians(runs.get(b)!)
  process.stdout.write(`median A: ${describe(ma, ideal)}\nmedian B: ${describe(mb, ideal)}\n`)
  const figures = (tag: string, f: ScaleFigures): Metric[] => [
    { metric: `scale A/B ${tag}: req/s`, value: round(f.rps, 0), unit: 'req/s' },
    { metric: `scale A/B ${tag}: p99 latency`, value: round1(f.p99), unit: 'ms' },
    { metric: `scale A/B ${tag}: errors (all rounds)`, value: f.errors, unit: 'count', target: '0', pass: f.errors === 0 },
    { metric: `scale A/B ${tag}: server CPU per request`, value: round1(f.serverCpu), unit: 'us' },
    { metric: `scale A/B ${tag}: server GC pauses per request`, value: round1(f.gcPause), unit: 'us' },
    { metric: `scale A/B ${tag}: peak RSS per worker`, value: round1(f.peakRss), unit: 'MiB' }
  ]
  return [
    ...figures('A', ma),
    ...figures('B', mb),
    { metric: 'scale A/B: B / A req/s', value: round(mb.rps / ma.rps, 3), unit: 'ratio' },
    { metric: 'scale A/B: B / A server CPU per request', value: round(mb.serverCpu / ma.serverCpu, 3), unit: 'ratio' }
  ]
}

const only = process.env.SERVE_BENCH_ONLY
const metrics = [...(only === 'scale' ? [] : await overhead())]
const ab = ['SERVE_BENCH_AB_FLAGS', 'SERVE_BENCH_AB_BASE', 'SERVE_BENCH_AB_WORKERS', 'SERVE_BENCH_AB_BARE'].some((name) => process.env[name] !== undefined)
if (only !== 'overhead') metrics.push(...(ab ? await scaleAb() : await scaleAll()))
emit('serve', metrics)
