// capacity.html in headless Chromium, as a user opens it: every curve drawn, no console errors, no
// network request (it works offline), the finding on the page; a screenshot for the README.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { CAPACITY_VERSION, type CapacityStep } from '../../src/capacity/data.js'
import { judgeStep } from '../../src/capacity/judge.js'
import { writeCapacityReport } from '../../src/capacity/report.js'
import type { StepPurpose } from '../../src/capacity/search.js'
import { parseSlo } from '../../src/capacity/slo.js'
import { summarize, type CapacityHeader } from '../../src/capacity/summary.js'
import { syntheticMeta } from '../report/helpers/synthetic.js'
import { repoRoot } from '../helpers/cli.js'
import { recordedRun, spread } from './helpers/recorded.js'

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`
const SLOS = ['p99<300', 'fail_ratio<0.01']

/** A step of `users` users: 12 steady seconds at `rps` with latencies from `fromMs` to `toMs`, after a 2 s ramp. */
function step(index: number, users: number, purpose: StepPurpose, rps: number, fromMs: number, toMs: number): CapacityStep {
  const start = 1_700_000_000_000 + index * 60_000
  const seconds = Array.from({ length: 14 }, () => ({ users, ok: spread(rps, fromMs, toMs) }))
  const result = recordedRun(start, 14, seconds)
  return judgeStep({ index, load: users, unit: 'users', purpose, dir: `steps/${index}`, rampSec: 2, offeredRps: users / 0.05 },
    { result, meta: syntheticMeta(`step-${index}`, 'external', { declaredServiceTimeSec: 0.05, warmupMs: [60, 50, 50] }) }, SLOS.map(parseSlo), 50)
}

test('capacity.html draws every curve offline in Chromium, with no console errors', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-capacity-html-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const steps = [step(1, 8, 'probe', 80, 95, 110), step(2, 16, 'grow', 80, 190, 215), step(3, 32, 'grow', 80, 390, 420),
    step(4, 23, 'interpolate', 80, 280, 305), step(5, 22, 'interpolate', 80, 270, 290), step(6, 22, 'confirm', 80, 268, 292)]
  const header: CapacityHeader = {
    version: CAPACITY_VERSION, tool: 'floodgate', kind: 'capacity', created_at: new Date(1_700_000_000_000).toISOString(),
    target: { variant: 'target', kind: 'external', url: 'http://127.0.0.1:1/', services: [] }, mode: 'users', unit: 'users', slo: SLOS,
    bounds: { lowest: 1, highest: 400 }, load: { wait: 'none', method: 'GET', path: '/', timeout_sec: 60 },
    step_shape: { run_sec: 15, ramp_sec: 2, spawn_sec: 0.05, settle_sec: 0.3, measure_sec: 12 }, budget_sec: 300, elapsed_sec: 120,
    calibration: null, prediction: null, stop_reason: 'converged', interrupted: false, error: null
  }
  const file = summarize(header, steps)
  assert.equal(file.capacity?.load, 22)
  assert.equal(file.first_failing?.load, 23)
  const { html } = await writeCapacityReport(dir, file)

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  })
  t.after(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const problems: string[] = []
  const requests: string[] = []
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()))
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' })
  const charts = await page.$$eval('.chart', (divs) => divs.map((d) => {
    const canvas = d.querySelector('canvas')
    if (!canvas) return { id: d.id, drawn: false }
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let ink = 0
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240)) ink++
    return { id: d.id, drawn: ink > 500 }
  }))
  // Throughput against load, latency against throughput, and fail_ratio against load.
  assert.equal(charts.length, 3, JSON.stringify(charts))
  for (const c of charts) assert.ok(c.drawn, `chart ${c.id} is drawn`)
  const text = (await page.textContent('body'))!
  assert.ok(text.includes(file.summary), 'the finding is on the page')
  assert.match(text, /22 users within p99<300, fail_ratio<0.01/)
  assert.deepEqual(problems, [])
  assert.deepEqual(requests, [])
  const shots = join(repoRoot, 'test-output')
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, 'capacity-report.png'), fullPage: true })
})
