// The mock must not be the bottleneck of any benchmark. Two measurements, each server in its own process:
// 1. zero-delay GET / throughput under autocannon (this process), against a bare node:http server that
//    answers the same JSON in the same run: mock rps, bare rps, ratio; target >= 20,000 rps absolute.
// 2. 10,000 concurrent waiting requests (delay 8 s) from raw keep-alive sockets in a child process: the
//    mock's RSS while all wait (target < 200 MiB), its peak as they are all answered at once, and that all
//    10,000 were answered. The mock runs through tsx here, which adds about 24 MiB over `node dist/`.
// This file also serves as those child processes (first argument: serve-mock | serve-bare | client).
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { emit, round, type Metric } from './report.js'

// autocannon ships no types (and @types/autocannon is not installed): the little used here, typed here.
interface CannonResult { requests: { average: number }; non2xx: number; errors: number }
type Cannon = (o: { url: string; connections: number; pipelining: number; duration: number }) => Promise<CannonResult>
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon

const self = fileURLToPath(import.meta.url)
const role = process.argv[2]

if (role === 'serve-mock') {
  const { startMock } = await import('../src/mock/index.js')
  const wait = Number(process.argv[3] ?? 0)
  const mock = await startMock({ port: 0, minWait: wait, maxWait: wait }, {})
  process.stdout.write(`PORT ${mock.port}\n`)
} else if (role === 'serve-bare') {
  const server = createServer((_req, res) => {
    const started = performance.now()
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
    res.end(`{"total_time_sec":${(performance.now() - started) / 1000},"min_wait_time_sec":0,"max_wait_time_sec":0}`)
  })
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as { port: number }).port}\n`))
} else if (role === 'client') {
  await holdConnections(Number(process.argv[3]), Number(process.argv[4]))
} else {
  await main()
}

async function main(): Promise<void> {
  const metrics: Metric[] = []
  process.stdout.write(`ulimit -n: ${ulimitNofile()}\n`)

  // 1. Throughput, alternating bare and mock twice; the best run of each counts (noise only lowers rps).
  const rps = { bare: 0, mock: 0 }
  for (let round_ = 0; round_ < 2; round_++) {
    for (const kind of ['bare', 'mock'] as const) {
      const server = await startServer(kind === 'bare' ? ['serve-bare'] : ['serve-mock', '0'])
      try {
        await hammer(server.port, 2) // warm-up
        const r = await hammer(server.port, 10)
        process.stdout.write(`${kind}: ${Math.round(r.requests.average)} rps (non-2xx ${r.non2xx}, errors ${r.errors})\n`)
        if (r.non2xx === 0 && r.errors === 0) rps[kind] = Math.max(rps[kind], r.requests.average)
      } finally {
        await stopChild(server.child)
      }
    }
  }
  metrics.push(
    { metric: 'zero-delay GET / throughput (fastify mock)', value: Math.round(rps.mock), unit: 'req/s', target: '>= 20000', pass: rps.mock >= 20_000 },
    { metric: 'zero-delay GET / throughput (bare node:http)', value: Math.round(rps.bare), unit: 'req/s' },
    { metric: 'mock / bare node:http throughput', value: round(rps.bare ? rps.mock / rps.bare : 0, 3), unit: 'ratio' }
  )

  // 2. 10,000 concurrent waiting requests.
  const n = 10_000
  const waitSec = 8
  const server = await startServer(['serve-mock', String(waitSec)])
  try {
    const client = spawn(process.execPath, [...process.execArgv, self, 'client', String(server.port), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    client.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    // RSS is read right after /stats answers, so "all waiting" means in flight = n at that moment.
    let peakRss = 0
    let waitingRss = 0
    let peakInFlight = 0
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMiB(server.child.pid!))
      fetch(`http://127.0.0.1:${server.port}/stats`).then((r) => r.json() as Promise<{ inFlight: number }>).then(
        (s) => {
          peakInFlight = Math.max(peakInFlight, s.inFlight)
          if (s.inFlight >= n) waitingRss = Math.max(waitingRss, rssMiB(server.child.pid!))
        },
        () => undefined
      )
    }, 200)
    const code = await new Promise<number | null>((resolve) => client.once('exit', (c) => resolve(c)))
    clearInterval(sampler)
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { connected?: number; answered?: number; failed?: number }
    process.stdout.write(`10k: client exit ${code}, ${JSON.stringify(result)}, peak in flight ${peakInFlight}, ` +
      `RSS while all wait ${round(waitingRss, 1)} MiB, peak RSS (incl. the burst of 10,000 answers) ${round(peakRss, 1)} MiB\n`)
    metrics.push(
      { metric: `concurrent waiting requests held (delay ${waitSec} s)`, value: peakInFlight, unit: 'requests', target: `>= ${n}`, pass: peakInFlight >= n },
      { metric: 'requests answered of 10,000 concurrent', value: result.answered ?? 0, unit: 'requests', target: `${n}`, pass: result.answered === n },
      { metric: 'mock RSS while 10,000 requests wait', value: round(waitingRss, 1), unit: 'MiB', target: '< 200', pass: waitingRss > 0 && waitingRss < 200 },
      { metric: 'mock peak RSS incl. the burst of 10,000 answers', value: round(peakRss, 1), unit: 'MiB' }
    )
  } finally {
    await stopChild(server.child)
  }
  emit('mock', metrics)
}

function hammer(port: number, duration: number): Promise<CannonResult> {
  return autocannon({ url: `http://127.0.0.1:${port}/`, connections: 100, pipelining: 1, duration })
}

async function startServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...process.execArgv, self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const m = out.match(/PORT (\d+)/)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`server ${args.join(' ')} exited with ${code}`)))
  })
  return { child, port }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

function rssMiB(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
    return m ? Number(m[1]) / 1024 : 0
  } catch {
    return 0
  }
}

function ulimitNofile(): string {
  try {
    const m = readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+)\s+(\d+)/)
    return m ? `soft ${m[1]}, hard ${m[2]}` : 'unknown'
  } catch {
    return 'unknown'
  }
}

/** Child: opens n keep-alive connections (in batches, within the listen backlog), sends one GET / on
 *  each, and counts complete 200 answers. Prints one JSON line. */
async function holdConnections(port: number, n: number): Promise<void> {
  let connected = 0
  let answered = 0
  let failed = 0
  const request = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`)
  const done = new Promise<void>((resolve) => {
    let settled = 0
    const settle = () => {
      if (++settled === n) resolve()
    }
    const open = (i: number) => {
      const socket = connect(port, '127.0.0.1')
      let text = ''
      let finished = false
      const finish = (ok: boolean) => {
        if (finished) return
        finished = true
        if (ok) answered++
        else failed++
        socket.destroy()
        settle()
      }
      socket.setEncoding('utf8')
      socket.on('connect', () => {
        connected++
        socket.write(request)
      })
      socket.on('data', (d: string) => {
        text += d
        // The body is the study's JSON, which ends with the closing brace.
        if (text.endsWith('}')) finish(text.startsWith('HTTP/1.1 200'))
      })
      socket.on('error', () => finish(false))
      socket.on('close', () => finish(false))
      if (i + 1 < n && (i + 1) % 250 === 0) setTimeout(() => open(i + 1), 20)
      else if (i + 1 < n) open(i + 1)
    }
    open(0)
  })
  const timeout = setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ connected, answered, failed, timedOut: true })}\n`)
    process.exit(1)
  }, 90_000)
  await done
  clearTimeout(timeout)
  process.stdout.write(`${JSON.stringify({ connected, answered, failed })}\n`)
}
