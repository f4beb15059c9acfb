// Opens report.html in headless Chromium as a user would: the answer (the summary and the comparison
// chart) on the first screen, every chart drawn, no console errors, no network requests (the page must
// work offline), and a screenshot for the README.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { writeBenchReport } from '../../src/report/bench/report.js'
import { launchChromium, openPage, skipWithoutChromium as skip } from '../helpers/chromium.js'
import { repoRoot } from '../helpers/cli.js'
import { writeSyntheticBench } from './helpers/synthetic.js'

test('report.html opens on the summary and the comparison chart, and renders every chart offline in Chromium with no console errors', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-report-html-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeSyntheticBench(dir)
  const { html } = await writeBenchReport(dir)

  const browser = await launchChromium()
  t.after(() => browser.close())
  const SCREEN = { width: 1280, height: 800 }
  const { page, problems, requests } = await openPage(browser, SCREEN)
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
  // The first screen holds the summary (one sentence per variant) and the comparison chart, drawn; the
  // verdict table comes next, then the details.
  const box = async (selector: string) => {
    const b = await page.locator(selector).boundingBox()
    assert.ok(b, `${selector} is on the page`)
    return b
  }
  const summary = await box('#summary')
  const comparison = await box('#summary .chart')
  assert.ok(summary.y + summary.height <= SCREEN.height, `the summary ends at ${summary.y + summary.height} px, within the first ${SCREEN.height}`)
  assert.ok(comparison.y + comparison.height <= SCREEN.height, `the comparison chart ends at ${comparison.y + comparison.height} px`)
  assert.equal(await page.locator('#summary li').count(), 3, 'one sentence per variant, the failed one included')
  assert.ok((await box('#verdicts')).y >= summary.y + summary.height, 'the verdicts after the summary')
  assert.ok((await box('#results')).y > (await box('#verdicts')).y, 'the details after the verdicts')
  assert.equal(charts[0]!.id, 'chart0')
  assert.equal(await page.locator('#summary #chart0').count(), 1, 'the first chart drawn is the comparison, inside the summary')
  // summary + answered req/s over time + per variant (rps, latency, users, cpu, memory, queues) for the two variants with results.
  assert.equal(charts.length, 14)
  for (const c of charts) assert.ok(c.drawn && c.width > 0, `chart ${c.id} is drawn`)
  const text = await page.textContent('body')
  assert.match(text!, /backpressure: all 64 run slots/)
  assert.match(text!, /broken failed before it was measured/)
  assert.match(text!, /Reference, not measured in this run\. Source: PromptFlow 1\.18/)
  assert.deepEqual(problems, [])
  assert.deepEqual(requests.filter((url) => !url.startsWith('file:')), [], 'nothing but the report file itself')

  const shots = join(repoRoot, 'test-output')
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, 'bench-report.png'), fullPage: true })
})
