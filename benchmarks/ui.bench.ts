// The live page's cost to the generator: the same open-loop load (fixed work: a fixed rate for a fixed
// time) run with and without --ui, the --ui runs with the page open in Chromium for the whole run,
// interleaved A/B rounds; the generator's own CPU (its process, page server included) per request sent,
// compared by their medians. Target: within 5%. The target server runs in its own process.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { emit, round } from './report.js'
import type { LoadResult } from '../src/load/result.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'floodgate-ui-bench-'))
const SECONDS = Number(process.env.UI_BENCH_SECONDS ?? 15)
const RATE = Number(process.env.UI_BENCH_RATE ?? 800)
const ROUNDS = Number(process.env.UI_BENCH_ROUNDS ?? 5)
const children: ChildProcess[] = []
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(tmp, { recursive: true, force: true })
})

const SERVER = `require('node:http').createServer((q, r) => { q.resume(); r.end('ok') }).listen(0, '127.0.0.1', function () { console.log(this.address().port) })`

function lineOf(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = ''
    child.stdout!.on('data', (d: Buffer) => {
      text += d
      const m = text.match(pattern)
      if (m) resolve(m)
    })
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${pattern}: ${text}`)))
  })
}

async function round1(url: string, ui: Browser | null, i: number): Promise<LoadResult> {
  const json = join(tmp, `r${i}.json`)
  const args = [join(root, 'bin/floodgate.js'), 'load', url, '--rate', String(RATE), '--run-time', `${SECONDS}s`, '--quiet', '--json', json]
  if (ui) args.push('--ui', '--ui-port', '0')
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const exited = new Promise((done) => child.once('exit', done))
  if (ui) {
    const [, page] = await lineOf(child, /Live page: (http:\/\/\S+)\n/)
    const tab = await ui.newPage({ viewport: { width: 1280, height: 900 } })
    await tab.goto(page!)
    await lineOf(child, /Wrote /)
    await tab.close()
    child.kill('SIGINT')
  }
  await exited
  return JSON.parse(readFileSync(json, 'utf8')) as LoadResult
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] })
children.push(server)
const [port] = await lineOf(server, /\d+/)
const url = `http://127.0.0.1:${port}/x`
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
const without: number[] = []
const withUi: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  for (const ui of r % 2 ? [true, false] : [false, true]) {
    const result = await round1(url, ui ? browser : null, r * 2 + (ui ? 1 : 0))
    const cpu = result.generator.cpuSec ?? 0
    const perRequestUs = (cpu * 1e6) / Math.max(1, result.aggregated.requests)
    ;(ui ? withUi : without).push(perRequestUs)
    process.stdout.write(`round ${r + 1} ${ui ? 'with --ui, page open' : 'without --ui'}: ${result.aggregated.requests} requests, generator CPU ${cpu.toFixed(3)} s, ${perRequestUs.toFixed(1)} us/request\n`)
  }
}
await browser.close()
const ratio = median(withUi) / median(without)
process.stdout.write(`generator CPU per request, median: ${median(without).toFixed(1)} us without --ui, ${median(withUi).toFixed(1)} us with the page open: x${ratio.toFixed(3)}\n`)
emit('ui', [
  { metric: `generator CPU/request without --ui (${RATE}/s, ${SECONDS} s)`, value: round(median(without), 1), unit: 'us' },
  { metric: 'generator CPU/request with --ui, page open', value: round(median(withUi), 1), unit: 'us' },
  { metric: 'generator CPU with the page / without', value: round(ratio, 3), unit: 'x', target: '<= 1.05', pass: ratio <= 1.05 }
])
process.exit(0)
