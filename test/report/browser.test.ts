// Opens report.html in headless Chromium as a user would: every chart drawn, no console errors, no
// network requests (the page must work offline), and a screenshot for the README.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { writeBenchReport } from '../../src/report/bench/report.js'
import { repoRoot } from '../helpers/cli.js'
import { writeSyntheticBench } from './helpers/synthetic.js'

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`

test('report.html renders every chart offline in Chromium, with no console errors', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-report-html-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeSyntheticBench(dir)
  const { html } = await writeBenchReport(dir)

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run']
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
    if (!canvas) return { id: d.id, drawn: false, width: 0 }
    // A drawn chart has pixels that are neither transparent nor white.
    const ctx = canvas.getContext('2d')!
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data
    let ink = 0
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240)) ink++
    return { id: d.id, drawn: ink > 500, width: canvas.width }
  }))
  // comparison + per variant (rps, latency, users, cpu, memory, queues) for the two variants with results.
  assert.equal(charts.length, 13)
  for (const c of charts) assert.ok(c.drawn && c.width > 0, `chart ${c.id} is drawn`)
  const text = await page.textContent('body')
  assert.match(text!, /backpressure: all 64 run slots/)
  assert.match(text!, /broken failed/)
  assert.deepEqual(problems, [])
  assert.deepEqual(requests, [])

  const shots = join(repoRoot, 'test-output')
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, 'bench-report.png'), fullPage: true })
})
